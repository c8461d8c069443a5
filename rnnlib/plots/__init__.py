"""Figures for the book's chapters, drawn with matplotlib (one module a topic).

Import from the module that draws what you need, e.g.
``from rnnlib.plots.unrolled import draw_unrolled``. Every function returns a
matplotlib Figure and keeps no state between calls.
"""
