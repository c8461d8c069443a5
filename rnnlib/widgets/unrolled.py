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

from rnnlib.claims import building_the_book
from rnnlib.plots.unrolled import PATTERNS, draw_unrolled, pattern_steps

from .png import png_of
from .static import Control, StaticExplorer

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


def _alt(T, pattern, folded):
    ins, outs = pattern_steps(T, pattern)
    if folded:
        return (f"A {pattern} recurrent network drawn folded: one state circle h with a loop W_h, an "
                f"input box x below it and an output box y above it, that runs {T} times.")
    return (f"A {pattern} recurrent network unrolled over T = {T} steps: state circles h_1 to h_{T} "
            f"after h_0, joined by arrows W_h, with {len(ins)} input box{'es' if len(ins) > 1 else ''} "
            f"below and {len(outs)} output box{'es' if len(outs) > 1 else ''} above.")


def static_unrolled_explorer(T=4, pattern="many-to-many"):
    """The explorer for the published book (:mod:`rnnlib.widgets.static`): every T from 1
    to 10, every pattern, folded or not."""
    return StaticExplorer([Control("T", range(1, T_MAX + 1), T), Control("folded", (False, True), False,
                                                                        kind="checkbox"),
                           Control("pattern", PATTERNS, pattern, kind="menu")],
                          draw=lambda T, folded, pattern: (png_of(draw_unrolled(T, pattern, folded=folded)),
                                                           describe(T, pattern, folded)),
                          alt=lambda T, folded, pattern: _alt(T, pattern, folded))


def unrolled_explorer(T=4, pattern="many-to-many"):
    """A widget: a T slider (1..10), pattern buttons and a 'folded' checkbox over the graph.

    Inputs: the starting T (an int in 1..10) and pattern (one of
    :data:`rnnlib.plots.unrolled.PATTERNS`). Returns an ``ipywidgets.VBox``; its
    ``controls`` attribute is a dict ``{"T", "pattern", "folded"}`` of the control
    widgets, ``summary`` the HTML line and ``output`` the Output that holds the figure.
    Changing any control redraws the figure. While the book is built, the
    :func:`static_unrolled_explorer` of the same settings instead.
    """
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= T_MAX:
        raise ValueError(f"T: expected an integer from 1 to {T_MAX}, got {T!r}")
    if pattern not in PATTERNS:
        raise ValueError(f"pattern: expected one of {PATTERNS}, got {pattern!r}")
    if building_the_book():
        return static_unrolled_explorer(T, pattern)

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
