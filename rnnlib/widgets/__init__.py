"""ipywidgets explorers for the chapters (one module a topic).

Each function returns a widget that redraws a figure of :mod:`rnnlib.plots` when a
control moves, e.g. ``from rnnlib.widgets.gradients import gradient_norm_explorer``.
"""
