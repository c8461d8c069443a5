"""Diagrams for chapter 3: the paths of backpropagation through time, truncation windows.

Both functions are pure: they take sizes, build a new matplotlib Figure and return it.
They draw structure, not data, so no arrays go in (data plots of the chapter live in
its cells).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

_PATH = "#c0392b"  # the backward path from the loss
_WH = "#1f6fb2"  # the use of Wh that a term differentiates
_WX = "#2e8b57"  # the use of Wx on the same path
_GREY = "#b0b0b0"


def _positive_int(name, value, minimum=1):
    if not (isinstance(value, int) and value >= minimum):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


def truncation_windows(T, k1, k2):
    """The updates of truncated BPTT(k1, k2) over a sequence of T steps.

    The rule of :func:`rnnlib.fit`: the j-th update ends at ``end = min((j + 1) k1, T)``;
    its losses are the steps ``[new, end)`` with ``new = j k1``; its gradient flows back
    through ``[start, end)`` with ``start = max(0, end - k2)``. Returns a list of
    ``(start, new, end)`` tuples, one per update (ceil(T / k1) of them).
    """
    _positive_int("T", T)
    _positive_int("k1", k1)
    if k1 > T:
        raise ValueError(f"k1: expected an integer in [1, {T}], got {k1!r}")
    _positive_int("k2", k2, minimum=k1)
    windows = []
    for j in range(-(-T // k1)):
        new, end = j * k1, min((j + 1) * k1, T)
        windows.append((max(0, end - k2), new, end))
    return windows


def draw_truncation_windows(T, k1, k2, figsize=(7, 3.2)):
    """Draw the updates of truncated BPTT(k1, k2) on a time axis of T steps.

    One row per update (see :func:`truncation_windows`): grey cells are steps the
    forward pass has run through, the coloured band is the window the gradient flows
    back through, and dots mark the steps whose losses the update uses.
    Returns a Figure with one Axes.
    """
    windows = truncation_windows(T, k1, k2)
    fig, ax = plt.subplots(figsize=figsize)
    for row, (start, new, end) in enumerate(windows):
        y = len(windows) - 1 - row
        for t in range(end):
            inside = start <= t
            ax.add_patch(Rectangle((t + 0.05, y - 0.35), 0.9, 0.7,
                                   facecolor=_WH if inside else "#ececec",
                                   alpha=0.35 if inside else 1.0,
                                   edgecolor=_WH if inside else _GREY, linewidth=1))
        for t in range(new, end):
            ax.plot(t + 0.5, y, "o", color=_PATH, markersize=6)
        if start > 0:
            ax.plot([start, start], [y - 0.45, y + 0.45], color="black", linewidth=2)
        ax.annotate("", xy=(start + 0.1, y), xytext=(end - 0.1, y),
                    arrowprops={"arrowstyle": "->", "color": _WH, "linewidth": 1.2})
    ax.set_xlim(-0.2, T + 0.2)
    ax.set_ylim(-0.7, len(windows) - 0.3)
    ax.set_yticks(range(len(windows)))
    ax.set_yticklabels([f"update {len(windows) - i}" for i in range(len(windows))])
    ax.set_xticks([t + 0.5 for t in range(T)])
    ax.set_xticklabels([str(t + 1) for t in range(T)])  # steps counted from 1, as in the book
    ax.set_xlabel("time step t")
    ax.set_title(f"truncated BPTT with k1 = {k1}, k2 = {k2}, T = {T}")
    handles = [Rectangle((0, 0), 1, 1, facecolor=_WH, alpha=0.35, edgecolor=_WH),
               Rectangle((0, 0), 1, 1, facecolor="#ececec", edgecolor=_GREY),
               plt.Line2D([], [], marker="o", linestyle="", color=_PATH),
               plt.Line2D([], [], color="black", linewidth=2)]
    ax.legend(handles, ["gradient flows back", "forward only", "loss used",
                        "cut: state passes, gradient stops"],
              loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, fontsize=8,
              frameon=False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _node(ax, xy, label, color="white"):
    ax.add_patch(plt.Circle(xy, 0.27, facecolor=color, edgecolor="black", zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=10, zorder=4)


def _edge(ax, a, b, color=_GREY, width=1.0, style="-"):
    ax.annotate("", xy=b, xytext=a, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": width,
                            "linestyle": style, "shrinkA": 11, "shrinkB": 11})


def draw_bptt_paths(t=3, figsize=None):
    """The t paths along which the loss E_t reaches the recurrent weights.

    Draws the network unrolled up to step t (inputs x_1..x_t, states h_0..h_t, the
    output y_t and its loss E_t), once per path: panel k (k = t, ..., 1) highlights
    the backward route E_t -> y_t -> h_t -> ... -> h_k in red, the use of Wh on the
    edge h_{k-1} -> h_k in blue and the use of Wx on x_k -> h_k in green. These are
    the k-th terms of dE_t/dWh and dE_t/dWx.
    Returns a Figure with t Axes, the path through h_t first.
    """
    _positive_int("t", t)
    if t > 6:
        raise ValueError(f"t: expected an integer in [1, 6] (a readable figure), got {t!r}")
    figsize = figsize or (2.4 * t + 0.6, 3.0)
    fig, axes = plt.subplots(1, t, figsize=figsize, squeeze=False)
    for panel, k in enumerate(range(t, 0, -1)):
        ax = axes[0, panel]
        # forward edges off this term's route, grey
        for j in range(1, t + 1):
            if j != k:
                _edge(ax, (j, 0), (j, 1))
            if j < k:
                _edge(ax, (j - 1, 1), (j, 1))
        # the backward route of this term, drawn against the forward direction
        _edge(ax, (t, 2.9), (t, 2), color=_PATH, width=2.2)
        _edge(ax, (t, 2), (t, 1), color=_PATH, width=2.2)
        for j in range(t, k, -1):
            _edge(ax, (j, 1), (j - 1, 1), color=_PATH, width=2.2)
        _edge(ax, (k - 1, 1), (k, 1), color=_WH, width=2.6)
        _edge(ax, (k, 0), (k, 1), color=_WX, width=2.6, style="--")
        for j in range(1, t + 1):
            _node(ax, (j, 0), f"$x_{j}$")
        for j in range(t + 1):
            on_path = k <= j
            _node(ax, (j, 1), f"$h_{j}$", "#f6d5d0" if on_path else "white")
        _node(ax, (t, 2), f"$y_{t}$", "#f6d5d0")
        _node(ax, (t, 2.9), f"$E_{t}$", "#f6d5d0")
        ax.set_title(f"term through $h_{k}$", fontsize=10)
        ax.set_xlim(-0.5, t + 0.5)
        ax.set_ylim(-0.5, 3.3)
        ax.set_aspect("equal")
        ax.axis("off")
    handles = [plt.Line2D([], [], color=_PATH, linewidth=2.2),
               plt.Line2D([], [], color=_WH, linewidth=2.6),
               plt.Line2D([], [], color=_WX, linewidth=2.6, linestyle="--")]
    fig.legend(handles, ["backward route of the error", "use of $W_h$ in this term",
                         "use of $W_x$ in this term"],
               loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
