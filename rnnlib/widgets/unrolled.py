"""An explorer for the unrolled graph of a simple RNN (chapter 2).

Move the number of steps T, pick an input/output pattern, fold or unfold the loop,
and the graph of :func:`rnnlib.plots.unrolled.draw_unrolled` is redrawn. A line
above the picture counts what the graph holds: how many inputs x_t (N, D), states
h_t (N, H) and outputs y_t (N, V), and how many times each weight matrix is used,
against the three matrices (plus biases) the network actually has.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from rnnlib.plots.unrolled import PATTERNS, draw_unrolled, pattern_steps

T_MAX = 10


def describe(T, pattern, folded=False):
    """One line of HTML that counts the nodes and weight uses of the drawn graph."""
    ins, outs = pattern_steps(T, pattern)
    if folded:
        return (f"<b>folded</b>: one loop that runs {T} time{'s' if T > 1 else ''}; "
                f"unfold it to see every step")
    return (f"<b>{pattern}, T = {T}</b>: {len(ins)} input{'s' if len(ins) > 1 else ''}, "
            f"{T} states after h<sub>0</sub>, {len(outs)} output{'s' if len(outs) > 1 else ''}; "
            f"W<sub>x</sub> used {len(ins)}&times;, W<sub>h</sub> {T}&times;, "
            f"W<sub>y</sub> {len(outs)}&times; &mdash; the same three matrices every time")


def unrolled_explorer(T=4, pattern="many-to-many"):
    """A widget: a T slider (1..10), pattern buttons and a 'folded' checkbox over the graph.

    Inputs: the starting T (an int in 1..10) and pattern (one of
    :data:`rnnlib.plots.unrolled.PATTERNS`). Returns an ``ipywidgets.VBox``; its
    ``controls`` attribute is a dict ``{"T", "pattern", "folded"}`` of the control
    widgets, ``summary`` the HTML line and ``output`` the Output that holds the figure.
    Changing any control redraws the figure.
    """
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= T_MAX:
        raise ValueError(f"T: expected an integer from 1 to {T_MAX}, got {T!r}")
    if pattern not in PATTERNS:
        raise ValueError(f"pattern: expected one of {PATTERNS}, got {pattern!r}")

    steps = widgets.IntSlider(value=T, min=1, max=T_MAX, description="T",
                              continuous_update=False)
    kind = widgets.ToggleButtons(options=PATTERNS, value=pattern, description="pattern")
    folded = widgets.Checkbox(value=False, description="folded", indent=False)
    summary = widgets.HTML()
    output = widgets.Output()

    def render(change=None):
        summary.value = describe(steps.value, kind.value, folded.value)
        fig = draw_unrolled(steps.value, kind.value, folded=folded.value)
        with output:
            output.clear_output(wait=True)
            display(fig)
        plt.close(fig)  # shown once, in the Output; not again by the inline backend

    for control in (steps, kind, folded):
        control.observe(render, names="value")
    render()

    box = widgets.VBox([widgets.HBox([steps, folded]), kind, summary, output])
    box.controls = {"T": steps, "pattern": kind, "folded": folded}
    box.summary = summary
    box.output = output
    return box
