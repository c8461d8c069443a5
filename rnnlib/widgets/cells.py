"""An explorer for chapter 6: the LSTM cell's diagram with its gates opened and closed.

:func:`lstm_cell_explorer` returns an ipywidgets box with three sliders (the values of
the forget, input and output gates, f_t, i_t and o_t, each in [0, 1]) and a checkbox
(the gradient path through the cell state) above :func:`rnnlib.plots.cells.draw_lstm_cell`,
whose gated wires are drawn as strong as their gates are open. A line above the picture
does the cell's arithmetic for one unit with c_{t-1} = 1 and g_t = 0.5, and says how much
of an error on c_t is left ten steps back if the forget gate stayed at f_t.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..claims import building_the_book
from ..plots.cells import draw_lstm_cell
from .png import png_of
from .static import Control, StaticExplorer

#: The values the published book offers for f, and for i and o (the live sliders move in steps of 0.05).
F_GRID = (0.0, 0.5, 0.9, 1.0)
IO_GRID = (0.0, 0.5, 1.0)
C_PREV, G = 1.0, 0.5  # the one unit's old cell state and candidate in the line of arithmetic
STEPS_BACK = 10


def arithmetic(f, i, o, gradient_path=False):
    """One line of HTML: c_t and h_t for the unit, and (with the gradient path) the error's survival."""
    import math

    c = f * C_PREV + i * G
    h = o * math.tanh(c)
    line = (f"c<sub>t</sub> = f&middot;c<sub>t&minus;1</sub> + i&middot;g = {f:.2f}&middot;{C_PREV:g} + "
            f"{i:.2f}&middot;{G:g} = <b>{c:.2f}</b>; h<sub>t</sub> = o&middot;tanh(c<sub>t</sub>) = "
            f"<b>{h:.2f}</b>")
    if gradient_path:
        line += (f"; with f held at {f:.2f}, an error on c<sub>t</sub> keeps f<sup>{STEPS_BACK}</sup> = "
                 f"<b>{f ** STEPS_BACK:.3g}</b> of its size {STEPS_BACK} steps back")
    return line


def _png(f, i, o, gradient_path):
    fig = draw_lstm_cell(regions=False, gradient_path=gradient_path, width=7.0,
                         gates={"f": f, "i": i, "o": o})
    return png_of(fig, dpi=90)


def _alt(f, i, o, gradient_path):
    fig = draw_lstm_cell(regions=False, gradient_path=gradient_path, width=2.0,
                         gates={"f": f, "i": i, "o": o})
    text = fig.alt_text
    import matplotlib.pyplot as plt

    plt.close(fig)
    return text


def _check(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}: expected a number in [0, 1], got {value!r}")
    return float(value)


def static_lstm_cell_explorer(f=0.9, i=0.5, o=1.0, gradient_path=True):
    """The explorer for the published book (:mod:`rnnlib.widgets.static`): f snaps to
    :data:`F_GRID`, i and o to :data:`IO_GRID`."""
    return StaticExplorer([Control("forget f", F_GRID, f, fmt=".2f"), Control("input i", IO_GRID, i, fmt=".2f"),
                           Control("output o", IO_GRID, o, fmt=".2f"),
                           Control("gradient path", (False, True), gradient_path, kind="checkbox")],
                          draw=lambda f, i, o, p: (_png(f, i, o, p), arithmetic(f, i, o, p)),
                          alt=_alt)


def lstm_cell_explorer(f=0.9, i=0.5, o=1.0, gradient_path=True):
    """Sliders for the gates f, i, o (each in [0, 1]) and a gradient-path checkbox over the
    LSTM cell's diagram.

    Returns an ``ipywidgets.VBox``: an HBox of the four controls, an HTML line of the
    unit's arithmetic (:func:`arithmetic`) and the ``ipywidgets.Image`` of the diagram;
    ``controls`` maps "f", "i", "o", "gradient path" to the widgets. While the book is
    built, the :func:`static_lstm_cell_explorer` of the same settings instead.
    """
    f, i, o = _check("f", f), _check("i", i), _check("o", o)
    if not isinstance(gradient_path, bool):
        raise ValueError(f"gradient_path: expected True or False, got {gradient_path!r}")
    if building_the_book():
        return static_lstm_cell_explorer(f, i, o, gradient_path)
    style = {"description_width": "initial"}
    sliders = {name: widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.05, description=label,
                                         continuous_update=False, readout_format=".2f", style=style)
               for name, value, label in (("f", f, "forget f"), ("i", i, "input i"), ("o", o, "output o"))}
    path = widgets.Checkbox(value=gradient_path, description="gradient path", indent=False)
    line = widgets.HTML(arithmetic(f, i, o, gradient_path))
    image = widgets.Image(value=_png(f, i, o, gradient_path), format="png",
                          layout=widgets.Layout(max_width="720px"))

    def redraw(_change=None):
        values = (sliders["f"].value, sliders["i"].value, sliders["o"].value, path.value)
        line.value = arithmetic(*values)
        image.value = _png(*values)

    for control in (*sliders.values(), path):
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([*sliders.values(), path]), line, image])
    box.controls = {**sliders, "gradient path": path}
    box.image = image
    return box
