"""An explorer for chapter 5: a self-loop's error flow beside the Constant Error Carousel.

:func:`carousel_explorer` returns an ipywidgets box with three controls (the self-loop
weight w, the activation phi and the number of steps T) above a picture of
:func:`rnnlib.plots.carousel.plot_error_flow`, redrawn whenever a control changes.
The picture is a PNG in an ``ipywidgets.Image``, so it does not depend on the
notebook's matplotlib backend and works the same in JupyterLab 4 and Notebook 7.
"""

from __future__ import annotations


import ipywidgets as widgets

from ..claims import building_the_book
from ..plots.carousel import error_flow, plot_error_flow
from .png import png_of
from .static import Control, StaticExplorer

ACTIVATIONS = ("identity", "tanh", "sigmoid")

#: The values the published book offers (the live sliders move in steps of 0.05 and 1).
W_GRID = (0.0, 0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.5, 2.0)
T_GRID = (20, 100, 200)


def _png(w, activation, T, seed):
    """The error-flow figure for these settings as PNG bytes (the figure is closed)."""
    fig = plot_error_flow(w=w, activation=activation, T=T, seed=seed)
    return png_of(fig, dpi=100)


def _alt(w, activation, T, seed):
    far = float(error_flow(w=w, activation=activation, T=T, seed=seed)[0])
    return (f"Log-scale plot of error magnitude against steps back, over T = {T} steps. The dashed "
            f"carousel line stays at 1; the solid {activation} loop with w = {w:.2f} reaches "
            f"about {far:.0e} at {T - 1} steps back.")


def static_carousel_explorer(w=1.0, activation="tanh", T=100, seed=0):
    """The explorer for the published book (:mod:`rnnlib.widgets.static`): w snaps to
    :data:`W_GRID`, T to :data:`T_GRID`."""
    return StaticExplorer([Control("weight w", W_GRID, w, fmt=".2f"),
                           Control("activation", ACTIVATIONS, activation, kind="menu"),
                           Control("steps T", T_GRID, T)],
                          draw=lambda w, a, T: _png(w, a, T, seed),
                          alt=lambda w, a, T: _alt(w, a, T, seed))


def carousel_explorer(w=1.0, activation="tanh", T=100, seed=0):
    """Controls for a self-loop ``y_t = phi(w * y_{t-1} + x_t)`` and its error-flow plot.

    The controls start at w (FloatSlider, 0 to 2), activation (Dropdown: identity,
    tanh, sigmoid) and T (IntSlider, 2 to 200 steps); seed fixes the random inputs x
    (T,). The carousel (w = 1, identity) is always drawn for reference.
    Returns an ``ipywidgets.VBox``: its first child is an HBox of the three controls,
    its second the ``ipywidgets.Image`` that shows the plot. While the book is built, the
    :func:`static_carousel_explorer` of the same settings instead.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")
    if building_the_book():
        return static_carousel_explorer(w, activation, T, seed)
    style = {"description_width": "initial"}
    w_slider = widgets.FloatSlider(value=w, min=0.0, max=2.0, step=0.05, description="weight w",
                                   continuous_update=False, readout_format=".2f", style=style)
    phi_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                description="activation", style=style)
    T_slider = widgets.IntSlider(value=T, min=2, max=200, step=1, description="steps T",
                                 continuous_update=False, style=style)
    image = widgets.Image(value=_png(w, activation, T, seed), format="png",
                          layout=widgets.Layout(max_width="720px"))

    def redraw(_change=None):
        image.value = _png(w_slider.value, phi_menu.value, T_slider.value, seed)

    for control in (w_slider, phi_menu, T_slider):
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([w_slider, phi_menu, T_slider]), image])
