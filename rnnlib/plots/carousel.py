"""Plots for chapter 5: how much error a self-loop carries back through time.

A single unit that feeds itself, ``y_t = phi(w * y_{t-1} + x_t)``, passes an error
back one step multiplied by ``w * phi'(a_t)``. The functions here draw ``|dy_T/dy_t|``
against the number of steps back, on a log scale, so a constant error is a flat line
and a vanishing or exploding one is a slope. The arithmetic is done by
:func:`rnnlib.self_loop_forward` and :func:`rnnlib.self_loop_error_flow`; this module
only draws. Each function returns a new matplotlib Figure and keeps no state.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import random_array, self_loop_error_flow, self_loop_forward, to_numpy

#: Values below this are drawn at this height, so a log axis can show an error that
#: has underflowed to 0 (a sigmoid loop reaches 0.0 in double precision within a few
#: hundred steps).
FLOOR = 1e-300

#: The line style of the reference curve, the Constant Error Carousel (w = 1, identity).
CAROUSEL_STYLE = {"color": "black", "linestyle": "--", "linewidth": 2.0}


def plot_error_flows(flows, ax=None, title=None):
    """Draw several error-flow curves against steps back, with a log y axis.

    Inputs: flows, a dict that maps a legend label to an array (T,) whose entry t is
    ``|dy_T/dy_t|`` (as returned by :func:`rnnlib.self_loop_error_flow` or
    :func:`rnnlib.hidden_gradient_norms`); the curve is drawn against ``T - 1 - t``,
    the number of steps back from the last step. A label starting with "carousel"
    gets the reference style. ax, an Axes to draw into (a new figure when None);
    title, an optional axes title.
    Returns the Figure. Values below :data:`FLOOR` are drawn at the floor.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.5))
    else:
        fig = ax.figure
    lowest = 1.0
    for label, flow in flows.items():
        flow = np.asarray(to_numpy(flow), dtype=float)  # (T,)
        if flow.ndim != 1:
            raise ValueError(f"flows[{label!r}]: expected a 1-D array (T,), got shape {flow.shape}")
        steps_back = np.arange(flow.shape[0])[::-1]  # entry t is T - 1 - t steps back
        shown = np.maximum(flow, FLOOR)
        lowest = min(lowest, float(shown.min()))
        style = CAROUSEL_STYLE if label.lower().startswith("carousel") else {"linewidth": 1.6}
        ax.plot(steps_back, shown, label=label, **style)
    ax.set_yscale("log")
    ax.set_ylim(bottom=max(FLOOR, lowest / 10.0))
    ax.set_xlabel("steps back from the last step, T - 1 - t")
    ax.set_ylabel("error magnitude |dy_T / dy_t|")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def error_flow(w=1.0, activation="tanh", T=100, seed=0, input_scale=0.5):
    """The error that reaches each step of a self-loop driven by seeded random inputs.

    The inputs are x (T,) ~ N(0, input_scale**2), drawn with :func:`rnnlib.random_array`;
    the loop is ``y_t = phi(w * y_{t-1} + x_t)`` with phi = activation (``"identity"``,
    ``"tanh"`` or ``"sigmoid"``). Returns (T,), entry t = ``|dy_T/dy_t|``, as NumPy.
    """
    if not (isinstance(T, (int, np.integer)) and T >= 1):
        raise ValueError(f"T: expected a positive integer, got {T!r}")
    x = random_array((int(T),), seed=seed, scale=input_scale)  # (T,)
    y = self_loop_forward(x, float(w), activation)  # (T,)
    return to_numpy(self_loop_error_flow(y, float(w), activation))


def plot_error_flow(w=1.0, activation="tanh", T=100, seed=0, ax=None, input_scale=0.5):
    """One self-loop against the Constant Error Carousel: error magnitude vs steps back.

    Both loops read the same seeded inputs x (T,) ~ N(0, input_scale**2). The carousel
    (w = 1, identity) is always drawn, dashed, for reference; the other curve is the
    loop with weight w and the given activation. ax: an Axes to draw into (a new
    figure when None). Returns the Figure, with two lines on one log-scaled Axes.
    """
    flows = {
        "carousel (w = 1, identity)": error_flow(1.0, "identity", T, seed, input_scale),
        f"{activation} loop, w = {float(w):g}": error_flow(w, activation, T, seed, input_scale),
    }
    return plot_error_flows(flows, ax=ax, title=f"error flow through one self-loop, T = {int(T)}")
