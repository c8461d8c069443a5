"""An explorer for chapter 4: how far back a simple RNN's gradient reaches.

:func:`gradient_norm_explorer` returns an ipywidgets box with three controls (the
spectral radius of the recurrent matrix Wh (H, H), the activation phi and the number
of steps T) above a picture of :func:`rnnlib.plots.gradients.plot_gradient_norms`:
the measured ``||dh_T/dh_t||`` against ``T - t`` on a log scale, with the pure power
``radius ** (T - t)`` dashed beside it. The picture is redrawn whenever a control
changes. It is a PNG in an ``ipywidgets.Image``, so it does not depend on the
notebook's matplotlib backend and works the same in JupyterLab 4 and Notebook 7.
"""

from __future__ import annotations


import ipywidgets as widgets

from ..claims import building_the_book
from ..plots.gradients import ACTIVATIONS, gradient_horizon, gradient_norms, plot_gradient_norms
from .png import png_of
from .static import Control, StaticExplorer

#: The range of the spectral-radius slider.
RADIUS_MIN, RADIUS_MAX = 0.1, 3.0

#: The range of the sequence-length slider.
T_MIN, T_MAX = 5, 150

#: The values the published book offers (the live sliders move in steps of 0.05 and 1).
RADIUS_GRID = (0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0)
T_GRID = (25, 50, 100, 150)


def _png(radius, activation, T, H, seed):
    """The gradient-norm figure for these settings as PNG bytes (the figure is closed)."""
    fig = plot_gradient_norms(radius, activation=activation, T=T, H=H, seed=seed)
    return png_of(fig, dpi=100)


def _alt(radius, activation, T, H, seed):
    norms = gradient_norms(radius, activation=activation, T=T, H=H, seed=seed)
    horizon = gradient_horizon(norms)
    reach = (f"crosses the dotted threshold 0.01 after {horizon} steps back"
             if horizon is not None else "stays above the dotted threshold 0.01")
    return (f"Log-scale plot of gradient norm against steps back, 0 to {T - 1}, for a {activation} "
            f"RNN with spectral radius {radius:.2f}. The dashed line is the pure power of the "
            f"radius; the measured curve {reach} and ends at about {float(norms[0]):.0e}.")


def static_gradient_norm_explorer(spectral_radius=1.0, activation="tanh", T=50, H=32, seed=0):
    """The explorer for the published book (:mod:`rnnlib.widgets.static`): the radius
    snaps to :data:`RADIUS_GRID`, T to :data:`T_GRID`."""
    return StaticExplorer([Control("spectral radius", RADIUS_GRID, spectral_radius, fmt=".2f"),
                           Control("activation", ACTIVATIONS, activation, kind="menu"),
                           Control("T", T_GRID, T)],
                          draw=lambda r, a, T: _png(r, a, T, H, seed),
                          alt=lambda r, a, T: _alt(r, a, T, H, seed))


def gradient_norm_explorer(spectral_radius=1.0, activation="tanh", T=50, H=32, seed=0):
    """Controls for a simple RNN's recurrent matrix and the plot of ``||dh_T/dh_t||``.

    The controls start at spectral_radius (FloatSlider "spectral radius", 0.1 to 3),
    activation (Dropdown "activation": tanh, sigmoid, identity) and T (IntSlider
    "T", 5 to 150 steps). H is the number of hidden units and seed fixes Wh (H, H),
    Wx (D, H) and the inputs x (T, D) of the run, so moving a control changes only
    what it names.
    Returns an ``ipywidgets.VBox``: its first child is an HBox of the three controls,
    its second the ``ipywidgets.Image`` that shows the plot. The same widgets are also
    reachable by name through the box's ``controls`` dict (``"spectral radius"``,
    ``"activation"``, ``"T"``) and its ``image`` attribute. While the book is built, the
    :func:`static_gradient_norm_explorer` of the same settings instead.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")
    if not RADIUS_MIN <= spectral_radius <= RADIUS_MAX:
        raise ValueError(f"spectral_radius: expected a number in [{RADIUS_MIN}, {RADIUS_MAX}], "
                         f"got {spectral_radius!r}")
    if isinstance(T, bool) or not isinstance(T, int) or not T_MIN <= T <= T_MAX:
        raise ValueError(f"T: expected an integer in [{T_MIN}, {T_MAX}], got {T!r}")
    if building_the_book():
        return static_gradient_norm_explorer(spectral_radius, activation, T, H, seed)
    style = {"description_width": "initial"}
    radius_slider = widgets.FloatSlider(value=spectral_radius, min=RADIUS_MIN, max=RADIUS_MAX,
                                        step=0.05, description="spectral radius",
                                        continuous_update=False, readout_format=".2f",
                                        style=style)
    phi_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                description="activation", style=style)
    T_slider = widgets.IntSlider(value=T, min=T_MIN, max=T_MAX, step=1, description="T",
                                 continuous_update=False, style=style)
    image = widgets.Image(value=_png(spectral_radius, activation, T, H, seed), format="png",
                          layout=widgets.Layout(max_width="720px"))

    def redraw(_change=None):
        image.value = _png(radius_slider.value, phi_menu.value, T_slider.value, H, seed)

    for control in (radius_slider, phi_menu, T_slider):
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([radius_slider, phi_menu, T_slider]), image])
    box.controls = {"spectral radius": radius_slider, "activation": phi_menu, "T": T_slider}
    box.image = image
    return box
