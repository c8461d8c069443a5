"""Pictures of a simple RNN as a graph: folded, unrolled in time, stacked, chained.

A tanh RNN reads inputs x_t (N, D), carries a state h_t (N, H) and emits outputs
y_t (N, V):

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),    y_t = h_t Wy + by.

These functions draw that computation, not numbers: one node per vector (x_t and
y_t as rounded boxes, h_t as circles), one arrow per matrix product, labelled with
its weight matrix. Every node and arrow carries a gid (``"x_2"``, ``"h_0"``,
``"Wh_3"`` ...) so tests and readers can find it. Each function returns the
Figure; none keeps state between calls.

* :func:`draw_unrolled` -- the folded loop, or the graph unrolled over T steps for
  one of the four input/output patterns.
* :func:`draw_stacked` -- several RNN layers, the states of one being the inputs of
  the next.
* :func:`draw_encoder_decoder` -- one RNN whose last state starts a second RNN.
"""

from __future__ import annotations

from numbers import Integral

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

PATTERNS = ("one-to-one", "one-to-many", "many-to-one", "many-to-many")

# which steps read an input and which emit an output, for each pattern
_STEPS = {
    "one-to-one": ("first", "last"),
    "one-to-many": ("first", "all"),
    "many-to-one": ("all", "last"),
    "many-to-many": ("all", "all"),
}

# colours, as in chapter 1: inputs blue, states grey, outputs orange; h_0 white
_COLOURS = {
    "x": ("#d2e6f4", "#2b6ca3"),
    "h": ("#e4e4e4", "#4d4d4d"),
    "y": ("#fdd8b3", "#c0621b"),
    "h0": ("#ffffff", "#8c8c8c"),
}
_INK = "#333333"

# geometry in data units: one time step is one unit wide
_R = 0.27  # radius of a state circle
_BW, _BH = 0.27, 0.21  # half width and half height of an input/output box
_ROW = 1.15  # vertical distance between rows


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def _check_bool(name, value):
    if not (isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b"):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def _check_pattern(pattern):
    if pattern not in PATTERNS:
        raise ValueError(f"pattern: expected one of {PATTERNS}, got {pattern!r}")
    return pattern


def pattern_steps(T, pattern):
    """The steps (1-based) that read an input and the steps that emit an output.

    Returns ``(input_steps, output_steps)``, two lists of ints in 1..T. "many" means
    every step, "one" means the first step for the input and the last step for the
    output; so one-to-one with T > 1 reads at t = 1 and answers at t = T (with T = 1
    it is an ordinary feed-forward network).
    """
    T = _check_positive_int("T", T)
    ins, outs = _STEPS[_check_pattern(pattern)]
    every = list(range(1, T + 1))
    return (every if ins == "all" else [1]), (every if outs == "all" else [T])


class _Canvas:
    """An Axes with equal aspect, and sizes (fonts, arrow heads) scaled to its size."""

    def __init__(self, ax, xlim, ylim, labels):
        width, height = xlim[1] - xlim[0], ylim[1] - ylim[0]
        if ax is None:
            inch = min(1.0, 10.0 / width)  # inches per time step: shrink for long T
            fig = plt.figure(figsize=(inch * width, inch * height))
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        elif not isinstance(ax, Axes):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        fig = ax.figure
        box = ax.get_position()
        inch = min(box.width * fig.get_figwidth() / width,  # inches per data unit
                   box.height * fig.get_figheight() / height)
        self.ax, self.fig, self.labels = ax, fig, labels
        self.font = min(16.0, max(6.0, 15.0 * inch))  # node names
        self.small = max(6.0, 0.85 * self.font)  # weight and time labels
        self.head = max(5.0, 12.0 * inch)  # arrow-head size in points
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.axis("off")

    def node(self, kind, xy, text, gid, dashed=False):
        """A circle (states) or rounded box (inputs, outputs) with a name inside."""
        face, edge = _COLOURS[kind]
        style = dict(facecolor=face, edgecolor=edge, linewidth=1.4,
                     linestyle="--" if dashed else "-", gid=gid, zorder=2)
        if kind in ("h", "h0"):
            patch = Circle(xy, _R, **style)
        else:
            patch = FancyBboxPatch((xy[0] - _BW, xy[1] - _BH), 2 * _BW, 2 * _BH,
                                   boxstyle="round,pad=0,rounding_size=0.08", **style)
        self.ax.add_patch(patch)
        self.ax.text(*xy, text, ha="center", va="center", fontsize=self.font, zorder=3)
        return patch

    def arrow(self, a, b, label, gid, side="left", dashed=False):
        """An arrow from node a to node b, starting and ending on their outlines."""
        (xa, ya), (xb, yb) = _centre(a), _centre(b)
        dx, dy = xb - xa, yb - ya
        length = (dx * dx + dy * dy) ** 0.5
        ux, uy = dx / length, dy / length
        ra, rb = _reach(a, ux, uy), _reach(b, ux, uy)
        start, end = (xa + ra * ux, ya + ra * uy), (xb - rb * ux, yb - rb * uy)
        self.ax.add_patch(FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=self.head, color=_INK, linewidth=1.2,
            linestyle="--" if dashed else "-", shrinkA=0, shrinkB=0, gid=gid, zorder=1))
        if label and self.labels:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            nx, ny = (-uy, ux) if side == "left" else (uy, -ux)  # the normal on that side
            self.text((mx + 0.07 * nx, my + 0.07 * ny), label, nx, ny)

    def loop(self, node, label, gid):
        """A self-loop on the right of a state circle (the folded recurrence)."""
        x, y = _centre(node)
        c, s = 0.82 * _R, 0.57 * _R  # leave at +35 degrees, come back at -35 degrees
        reach = _R + 0.5
        path = Path([(x + c, y + s), (x + reach, y + 0.5), (x + reach, y - 0.5), (x + c, y - s)],
                    [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        self.ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=self.head,
                                          color=_INK, linewidth=1.2, gid=gid, zorder=1))
        if label and self.labels:
            self.text((x + reach - 0.08, y), label, 1.0, 0.0)

    def text(self, xy, text, nx=0.0, ny=1.0, **kw):
        """A small label; (nx, ny) says on which side of xy it should hang."""
        ha = "left" if nx > 0.3 else "right" if nx < -0.3 else "center"
        va = "bottom" if ny > 0.3 else "top" if ny < -0.3 else "center"
        return self.ax.text(*xy, text, ha=ha, va=va, fontsize=kw.pop("fontsize", self.small),
                            color=kw.pop("color", _INK), **kw)


def _centre(patch):
    if isinstance(patch, Circle):
        return patch.center
    return patch.get_x() + _BW, patch.get_y() + _BH


def _reach(patch, ux, uy):
    """Distance from a node's centre to its outline in direction (ux, uy)."""
    if isinstance(patch, Circle):
        return _R
    return min(_BW / abs(ux) if ux else float("inf"), _BH / abs(uy) if uy else float("inf"))


def draw_unrolled(T, pattern="many-to-many", folded=False, ax=None, labels=True):
    """Draw a simple RNN folded (one loop) or unrolled over T time steps.

    Inputs: T, the number of steps (a positive int); pattern, one of
    "one-to-one", "one-to-many", "many-to-one", "many-to-many" (which steps read an
    input x_t (N, D) and which emit an output y_t (N, V), see :func:`pattern_steps`);
    folded, True for the compact loop; ax, an Axes to draw into (a new Figure is
    made if None); labels, False to leave out the weight names and time labels.

    Unrolled, column t holds x_t (if the pattern reads one), h_t (N, H) and y_t (if
    the pattern emits one); arrows W_x, W_h, W_y connect them, and h_0 stands at the
    left. Folded, one column holds x_t, h_t, y_t with a self-loop W_h on h_t; an input
    or output that only some steps have is dashed and says which steps. Fonts and
    arrow heads shrink as T grows so that T up to about 12 stays readable.
    Returns the matplotlib Figure.
    """
    T = _check_positive_int("T", T)
    pattern = _check_pattern(pattern)
    folded = _check_bool("folded", folded)
    labels = _check_bool("labels", labels)
    ins, outs = pattern_steps(T, pattern)
    if folded:
        return _draw_folded(T, pattern, ins, outs, ax, labels)
    cv = _Canvas(ax, (-0.6, T + 0.6), (-0.75, 2 * _ROW + 0.45), labels)
    prev = cv.node("h0", (0, _ROW), "$h_0$", "h_0")
    for t in range(1, T + 1):
        h = cv.node("h", (t, _ROW), f"$h_{{{t}}}$", f"h_{t}")
        cv.arrow(prev, h, "$W_h$", f"Wh_{t}", side="left")
        if t in ins:
            x = cv.node("x", (t, 0.0), f"$x_{{{t}}}$", f"x_{t}")
            cv.arrow(x, h, "$W_x$", f"Wx_{t}", side="right")
        if t in outs:
            y = cv.node("y", (t, 2 * _ROW), f"$y_{{{t}}}$", f"y_{t}")
            cv.arrow(h, y, "$W_y$", f"Wy_{t}", side="right")
        if labels:
            cv.text((t, -_BH - 0.12), f"$t={t}$", 0.0, -1.0, color="#666666")
        prev = h
    return cv.fig


def _draw_folded(T, pattern, ins, outs, ax, labels):
    cv = _Canvas(ax, (-1.75, 1.75), (-0.75, 2 * _ROW + 0.45), labels)
    h = cv.node("h", (0, _ROW), "$h_t$", "h")
    x = cv.node("x", (0, 0.0), "$x_t$", "x", dashed=len(ins) < T)
    y = cv.node("y", (0, 2 * _ROW), "$y_t$", "y", dashed=len(outs) < T)
    cv.arrow(x, h, "$W_x$", "Wx", side="right")
    cv.arrow(h, y, "$W_y$", "Wy", side="right")
    cv.loop(h, "$W_h$", "Wh")
    h0 = cv.node("h0", (-1.35, _ROW), "$h_0$", "h_0")
    cv.arrow(h0, h, "", "h0_arrow", dashed=True)
    if labels:
        cv.text((-0.675, _ROW + 0.08), "at $t=1$", 0.0, 1.0, color="#666666")
        if len(ins) < T:
            cv.text((_BW + 0.08, 0.0), "only $t=1$", 1.0, 0.0, color="#666666")
        if len(outs) < T:
            cv.text((_BW + 0.08, 2 * _ROW), f"only $t={T}$", 1.0, 0.0, color="#666666")
        cv.text((0, -_BH - 0.12), f"$t=1,\\ldots,{T}$", 0.0, -1.0, color="#666666")
    return cv.fig


def draw_stacked(T, layers=2, ax=None, labels=True):
    """Draw a stack of ``layers`` RNNs unrolled over T steps (many-to-many).

    Layer 1 reads x_t (N, D); layer l > 1 reads the states h^(l-1)_t (N, H_{l-1}) of
    the layer below through its own W_x^(l); every layer has its own W_h^(l) and its
    own h^(l)_0 on the left; the top layer's states give y_t through W_y.
    Returns the matplotlib Figure.
    """
    T = _check_positive_int("T", T)
    layers = _check_positive_int("layers", layers)
    labels = _check_bool("labels", labels)
    top = (layers + 1) * _ROW
    cv = _Canvas(ax, (-0.6, T + 0.6), (-0.75, top + 0.45), labels)
    below = [cv.node("x", (t, 0.0), f"$x_{{{t}}}$", f"x_{t}") for t in range(1, T + 1)]
    for l in range(1, layers + 1):
        prev = cv.node("h0", (0, l * _ROW), f"$h^{{({l})}}_0$", f"h{l}_0")
        row = []
        for t in range(1, T + 1):
            h = cv.node("h", (t, l * _ROW), f"$h^{{({l})}}_{{{t}}}$", f"h{l}_{t}")
            cv.arrow(prev, h, f"$W^{{({l})}}_h$", f"Wh{l}_{t}", side="left")
            cv.arrow(below[t - 1], h, f"$W^{{({l})}}_x$", f"Wx{l}_{t}", side="right")
            row.append(h)
            prev = h
        below = row
    for t in range(1, T + 1):
        y = cv.node("y", (t, top), f"$y_{{{t}}}$", f"y_{t}")
        cv.arrow(below[t - 1], y, "$W_y$", f"Wy_{t}", side="right")
        if labels:
            cv.text((t, -_BH - 0.12), f"$t={t}$", 0.0, -1.0, color="#666666")
    return cv.fig


def draw_encoder_decoder(T_in, T_out, ax=None, labels=True):
    """Draw an encoder RNN whose last state is the first state of a decoder RNN.

    The encoder reads x_1..x_{T_in} (N, D) into states h_t (N, H) and emits nothing;
    the decoder starts from s_0 = h_{T_in}, reads its previous output y_{t-1} (N, V)
    (y_0 is a fixed start vector) and emits y_1..y_{T_out}. Encoder weights are
    W_x, W_h; decoder weights U_x, U_h, W_y. Returns the matplotlib Figure.
    """
    T_in = _check_positive_int("T_in", T_in)
    T_out = _check_positive_int("T_out", T_out)
    labels = _check_bool("labels", labels)
    gap = 0.4  # extra space between the two networks
    right = T_in + gap + T_out
    cv = _Canvas(ax, (-0.6, right + 0.6), (-0.75, 2 * _ROW + 0.45), labels)
    prev = cv.node("h0", (0, _ROW), "$h_0$", "h_0")
    for t in range(1, T_in + 1):
        h = cv.node("h", (t, _ROW), f"$h_{{{t}}}$", f"h_{t}")
        cv.arrow(prev, h, "$W_h$", f"Wh_{t}", side="left")
        x = cv.node("x", (t, 0.0), f"$x_{{{t}}}$", f"x_{t}")
        cv.arrow(x, h, "$W_x$", f"Wx_{t}", side="right")
        prev = h
    for t in range(1, T_out + 1):
        col = T_in + gap + t
        g = cv.node("h", (col, _ROW), f"$s_{{{t}}}$", f"s_{t}")
        cv.arrow(prev, g, "$U_h$", f"Uh_{t}", side="left")
        inp = cv.node("y", (col, 0.0), f"$y_{{{t - 1}}}$", f"in_{t}", dashed=True)
        cv.arrow(inp, g, "$U_x$", f"Ux_{t}", side="right")
        y = cv.node("y", (col, 2 * _ROW), f"$y_{{{t}}}$", f"y_{t}")
        cv.arrow(g, y, "$W_y$", f"Wy_{t}", side="right")
        prev = g
    if labels:
        cv.text(((T_in + 1) / 2, 2 * _ROW), "encoder", 0.0, 0.0, fontsize=cv.font)
        cv.text((T_in + gap + (T_out + 1) / 2, -_BH - 0.12), "decoder", 0.0, -1.0,
                fontsize=cv.font)
        cv.text((T_in + (1 + gap) / 2, 2 * _ROW - 0.55), f"$s_0 = h_{{{T_in}}}$", 0.0, 0.0,
                color="#666666")
    return cv.fig
