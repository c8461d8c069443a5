"""An explorer for chapter 6: the gates of a small LSTM at work on a chosen sequence.

:func:`lstm_gate_explorer` returns an ipywidgets box with two controls, the input
sequence (a Dropdown of :data:`rnnlib.plots.lstm.SEQUENCES`) and the forget gate's bias
(a FloatSlider), above a picture of :func:`rnnlib.plots.lstm.plot_gates` for the
hand-wired one-unit LSTM of :func:`rnnlib.plots.lstm.demo_params`, redrawn whenever a
control changes. The picture is a PNG in an ``ipywidgets.Image``, so it does not
depend on the notebook's matplotlib backend and works the same in JupyterLab 4 and
Notebook 7.
"""

from __future__ import annotations


import ipywidgets as widgets

from ..claims import building_the_book
from ..plots.lstm import SEQUENCES, demo_params, demo_sequence, lstm_gates, plot_gates
from .png import png_of
from .static import Control, StaticExplorer

#: The range of the forget-bias slider: from a cell that forgets almost at once
#: (sigmoid(-2) = 0.12 kept per step) to one that holds almost perfectly.
FORGET_BIAS_RANGE = (-2.0, 10.0)

#: The forget biases the published book offers (the live slider moves in steps of 0.5).
FORGET_BIAS_GRID = (-2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0)


def _png(sequence, forget_bias, T, seed):
    """The gate figure for these settings as PNG bytes (the figure is closed)."""
    fig = plot_gates(demo_sequence(sequence, T=T, seed=seed), demo_params(forget_bias),
                     title=f'sequence "{sequence}", forget bias {forget_bias:+.1f}')
    return png_of(fig, dpi=90)


def _alt(sequence, forget_bias, T, seed):
    c = lstm_gates(demo_sequence(sequence, T=T, seed=seed), demo_params(forget_bias))["c"]
    return (f'Seven stacked panels over the {T} steps of the sequence "{sequence}": the four input '
            f"channels, the gates i, f and o, the candidate g, the long-term memory c and the "
            f"short-term memory h of the one-unit demo LSTM with forget bias {forget_bias:+.1f}. "
            f"The memory c ends at {float(c[-1, 0]):.2f}.")


def static_lstm_gate_explorer(sequence="store, forget, store", forget_bias=6.0, T=30, seed=0):
    """The explorer for the published book (:mod:`rnnlib.widgets.static`): the forget
    bias snaps to :data:`FORGET_BIAS_GRID`."""
    return StaticExplorer([Control("sequence", SEQUENCES, sequence, kind="menu"),
                           Control("forget bias", FORGET_BIAS_GRID, forget_bias, fmt="+.1f")],
                          draw=lambda s, b: _png(s, b, T, seed),
                          alt=lambda s, b: _alt(s, b, T, seed))


def lstm_gate_explorer(sequence="store, forget, store", forget_bias=6.0, T=30, seed=0):
    """Controls for the demo LSTM's input and forget bias, and its stacked gate plot.

    The controls start at ``sequence`` (Dropdown "sequence", one of
    :data:`rnnlib.plots.lstm.SEQUENCES`) and ``forget_bias`` (FloatSlider "forget bias",
    from -2 to 10); T (>= 30) and seed fix the length and the random values of the
    sequence x (T, 4). The LSTM has H = 1 unit and the weights of
    :func:`rnnlib.plots.lstm.demo_params`.
    Returns an ``ipywidgets.VBox``: its first child is an HBox of the two controls, its
    second the ``ipywidgets.Image`` that shows the plot. While the book is built, the
    :func:`static_lstm_gate_explorer` of the same settings instead.
    """
    if sequence not in SEQUENCES:
        raise ValueError(f"sequence: expected one of {SEQUENCES}, got {sequence!r}")
    low, high = FORGET_BIAS_RANGE
    if not low <= forget_bias <= high:
        raise ValueError(f"forget_bias: expected a number in [{low}, {high}], got {forget_bias!r}")
    if building_the_book():
        return static_lstm_gate_explorer(sequence, forget_bias, T, seed)
    style = {"description_width": "initial"}
    menu = widgets.Dropdown(options=list(SEQUENCES), value=sequence, description="sequence",
                            style=style)
    slider = widgets.FloatSlider(value=forget_bias, min=low, max=high, step=0.5,
                                 description="forget bias", continuous_update=False,
                                 readout_format="+.1f", style=style)
    image = widgets.Image(value=_png(sequence, forget_bias, T, seed), format="png",
                          layout=widgets.Layout(max_width="720px"))

    def redraw(_change=None):
        image.value = _png(menu.value, slider.value, T, seed)

    for control in (menu, slider):
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([menu, slider]), image])
