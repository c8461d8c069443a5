"""Plots for chapter 6: what the gates of an LSTM do, step by step.

:func:`lstm_gates` runs :func:`rnnlib.lstm_step_forward` over a sequence and unpacks
the cache's packed ``gates`` (N, 4H), in the order i, f, o, g, together with the cell
state c and the hidden state h. :func:`plot_gates` draws them as a stack of panels over
time: the event (input) on top, then i, f, o, g, c and h, each labelled with its name
in chapter 6's vocabulary (ignore factor, forget factor, use filter, information
vector N_t, long-term memory, short-term memory).

For the explorer, :func:`demo_params` gives a one-unit LSTM with hand-chosen weights
that mean something (a memory that stores a value when a "write" flag is on, drops it
when a "forget" flag is on and shows it when a "read" flag is on), and
:func:`demo_sequence` gives a few named input sequences for it. Every function is pure
and seeded; the plots return a new matplotlib Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import lstm_step_forward, to_numpy
from ..backend import array_namespace, asarray, default_rng

#: The named input sequences of :func:`demo_sequence`.
SEQUENCES = ("store then hold", "store, forget, store", "overwrite", "noise")

#: The four input channels of the demo LSTM, in the order of the columns of x (D = 4).
INPUT_NAMES = ("value", "write", "forget", "read")

#: How strongly a flag pushes a gate: a pre-activation of +-6 gives a gate of 0.998 or
#: 0.002, open or shut for all practical purposes but still differentiable.
GAIN = 12.0

#: The gates and states drawn by :func:`plot_gates`, top to bottom after the input,
#: with the labels that chapter 6 gives them.
PANELS = (
    ("i", "$i_t$\nignore"),
    ("f", "$f_t$\nforget"),
    ("o", "$o_t$\nuse filter"),
    ("g", "$g_t = N_t$\ninformation"),
    ("c", "$c_t$\nLTM"),
    ("h", "$h_t$\nSTM"),
)


def demo_params(forget_bias=6.0, dtype="float64"):
    """Hand-chosen weights of a one-unit LSTM (H = 1) that stores a value on request.

    The input x_t has D = 4 channels, :data:`INPUT_NAMES`: a value in [-1, 1] and three
    0/1 flags, write, forget and read. With GAIN = 12 the packed pre-activation
    ``a = x Wx + h_prev Wh + b`` (columns i, f, o, g) is::

        a_i = 12 write - 6                          input gate open only on "write"
        a_f = forget_bias - 12 write - 12 forget    keep, unless writing or forgetting
        a_o = 12 read - 6                           output gate open only on "read"
        a_g = 2 value                               the candidate is the squashed value

    and Wh = 0, so every gate reads the event only. ``forget_bias`` sets how well the
    cell holds between writes: sigmoid(6) = 0.9975 per step, sigmoid(2) = 0.88.
    Returns ``{"Wx": (4, 4), "Wh": (1, 4), "b": (4,)}`` on the selected backend.
    """
    k = GAIN
    Wx = [
        [0.0, 0.0, 0.0, 2.0],  # value -> candidate g
        [k, -k, 0.0, 0.0],  # write -> open i, shut f
        [0.0, -k, 0.0, 0.0],  # forget -> shut f
        [0.0, 0.0, k, 0.0],  # read -> open o
    ]
    b = [-k / 2, float(forget_bias), -k / 2, 0.0]
    return {"Wx": asarray(Wx, dtype=dtype), "Wh": asarray([[0.0] * 4], dtype=dtype),
            "b": asarray(b, dtype=dtype)}


def demo_sequence(name="store then hold", T=30, seed=0, dtype="float64"):
    """One of the named input sequences :data:`SEQUENCES` for :func:`demo_params`.

    Every step carries a random value in [-1, 1) (seeded), which the memory should
    ignore unless the write flag is on. The flags of each sequence (T >= 30):

    - "store then hold": write 0.8 at step 4, read at the last three steps;
    - "store, forget, store": write 0.8 at step 4, read at 9-10, forget at 13, read at
      16-17 (there is nothing left to read), write -0.6 at step 20, read at the end;
    - "overwrite": write 0.8 at step 4, read at 10-11, write -0.6 at step 16 with no
      forget flag, read at the end;

    (Steps count from 1, as in the book: step t is row t - 1 of x.)
    - "noise": every flag switches on at random, with probability 0.12 per step.

    Returns x (T, 4) on the selected backend, columns :data:`INPUT_NAMES`.
    """
    if name not in SEQUENCES:
        raise ValueError(f"name: expected one of {SEQUENCES}, got {name!r}")
    if not (isinstance(T, (int, np.integer)) and T >= 30):
        raise ValueError(f"T: expected an integer >= 30, got {T!r}")
    rng = default_rng(seed)
    x = np.zeros((T, 4))
    x[:, 0] = rng.uniform(-1.0, 1.0, size=T)
    value, write, forget, read = 0, 1, 2, 3
    end = [T - 3, T - 2, T - 1]
    if name == "noise":
        x[:, 1:] = (rng.random((T, 3)) < 0.12).astype(float)
    else:
        x[3, [value, write]] = 0.8, 1.0
        if name == "store then hold":
            x[end, read] = 1.0
        elif name == "store, forget, store":
            x[[8, 9, 15, 16], read] = 1.0
            x[12, forget] = 1.0
            x[19, [value, write]] = -0.6, 1.0
            x[end, read] = 1.0
        else:  # overwrite
            x[[9, 10], read] = 1.0
            x[15, [value, write]] = -0.6, 1.0
            x[end, read] = 1.0
    return asarray(x, dtype=dtype)


def lstm_gates(x, params, h0=None, c0=None):
    """Run an LSTM step by step and return every gate and state, as NumPy arrays.

    Inputs: x (N, T, D) or a single sequence (T, D); params with ``Wx`` (D, 4H),
    ``Wh`` (H, 4H), ``b`` (4H,); optional h0, c0 (N, H) (zeros if None).
    Each step is :func:`rnnlib.lstm_step_forward`; its cache's ``gates`` (N, 4H) holds
    i, f, o, g packed, which are split here.
    Returns a dict with keys ``"i", "f", "o", "g", "c", "h"``, each (N, T, H), or
    (T, H) when x was a single sequence.
    """
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    xp = array_namespace(x, Wx)
    single = len(x.shape) == 2
    if single:
        x = x[None, ...]  # (1, T, D)
    if len(x.shape) != 3:
        raise ValueError(f"x: expected shape (N, T, D) or (T, D), got {tuple(x.shape)}")
    N, T = x.shape[0], x.shape[1]
    H = Wh.shape[0]
    h = xp.zeros((N, H), dtype=x.dtype) if h0 is None else h0
    c = xp.zeros((N, H), dtype=x.dtype) if c0 is None else c0
    out = {key: [] for key in ("i", "f", "o", "g", "c", "h")}
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t, :], h, c, Wx, Wh, b)
        gates = to_numpy(cache.gates)  # (N, 4H): i, f, o, g
        for k, key in enumerate(("i", "f", "o", "g")):
            out[key].append(gates[:, k * H : (k + 1) * H])
        out["c"].append(to_numpy(c))
        out["h"].append(to_numpy(h))
    result = {key: np.stack(values, axis=1) for key, values in out.items()}  # (N, T, H)
    return {key: value[0] for key, value in result.items()} if single else result


def plot_gates(x, params, axes=None, h0=None, c0=None, input_names=None, title=None):
    """Stacked panels of an LSTM's input, gates and states over one sequence.

    Inputs: x (T, D) or (1, T, D), one sequence; params ``{"Wx": (D, 4H), "Wh": (H, 4H),
    "b": (4H,)}``; axes, seven Axes to draw into (a new figure when None); h0, c0
    (1, H), the initial states (zeros if None); input_names, D labels for the input
    channels (``x[0]``, ``x[1]``, ... if None, :data:`INPUT_NAMES` when D = 4); title,
    an optional figure title.
    The top panel shows the D input channels; the next six show i, f, o, g, c and h
    (:data:`PANELS`), one line per hidden unit, against the step t.
    Returns the Figure.
    """
    if len(x.shape) == 3:
        if x.shape[0] != 1:
            raise ValueError(f"x: expected one sequence, (T, D) or (1, T, D), got {tuple(x.shape)}")
        x = x[0]
    states = lstm_gates(x, params, h0, c0)  # each (T, H)
    x = np.asarray(to_numpy(x), dtype=float)  # (T, D)
    T, D = x.shape
    H = states["h"].shape[1]
    if input_names is None:
        input_names = INPUT_NAMES if D == len(INPUT_NAMES) else [f"x[{d}]" for d in range(D)]
    if len(input_names) != D:
        raise ValueError(f"input_names: expected {D} names, got {len(input_names)}")
    if axes is None:
        fig, axes = plt.subplots(len(PANELS) + 1, 1, figsize=(7, 8.5), sharex=True)
    else:
        if len(axes) != len(PANELS) + 1:
            raise ValueError(f"axes: expected {len(PANELS) + 1} Axes, got {len(axes)}")
        fig = axes[0].figure
    steps = np.arange(1, T + 1)  # steps count from 1

    ax = axes[0]
    for d, label in enumerate(input_names):
        is_flag = bool(np.all((x[:, d] == 0.0) | (x[:, d] == 1.0)))
        style = {"drawstyle": "steps-mid", "linewidth": 1.4} if is_flag else {
            "color": "0.55", "linewidth": 1.0, "marker": ".", "markersize": 3}
        ax.plot(steps, x[:, d], label=label, **style)
    ax.set_ylabel("event $x_t$")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)

    for ax, (key, label) in zip(axes[1:], PANELS):
        values = states[key]  # (T, H)
        for unit in range(H):
            ax.plot(steps, values[:, unit], linewidth=1.6,
                    label=f"unit {unit}" if H > 1 else None)
        if key in ("i", "f", "o"):
            ax.set_ylim(-0.08, 1.08)
        else:
            low, high = float(values.min()), float(values.max())
            ax.set_ylim(min(-1.05, low - 0.05), max(1.05, high + 0.05))
        ax.set_ylabel(label, fontsize=9)
    if H > 1:
        axes[1].legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8,
                       frameon=False)
    for ax in axes:
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlabel("step t")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
