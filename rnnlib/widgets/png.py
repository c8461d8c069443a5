"""Figures as PNG bytes, for explorers that show their plot in an ``ipywidgets.Image``.

An Image redraws the same way in JupyterLab, Notebook 7 and the static book, whatever
matplotlib backend the notebook uses, and each redraw is a new PNG that tests can see.
"""

import io

import matplotlib.pyplot as plt


def png_of(fig, dpi=100):
    """The figure as PNG bytes; the figure is closed, so redraws leave nothing open."""
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()
