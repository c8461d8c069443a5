"""What to say when a student's function raises: their own line, and a hint for shapes."""

from __future__ import annotations

import os
import pathlib
import sys
import traceback

_OURS = str(pathlib.Path(__file__).resolve().parents[1])  # rnnlib itself
_LIBRARY = (sys.prefix, sys.base_prefix, os.path.dirname(os.__file__), _OURS)

HINTS = (
    ("matmul", "the inner sizes of a product must agree: with row vectors the book writes "
               "x @ W, and the gradient of x in x @ W is d @ W.T; and a gate times a state is "
               "elementwise `*`, not `@`"),
    ("could not be broadcast", "an elementwise product needs equal shapes: a gate times a state "
                               "is `*`, not `@`, and a bias (H,) adds to every row of (N, H)"),
    ("shapes", "compare the shapes in the message with the docstring's (N, T, D, H)"),
)


def where_raised(exc):
    """`` (line L of your cell: `source`)`` for the innermost frame of the student's own
    code (not Python's, a library's or rnnlib's), or "". The grader's runner, which
    cannot import rnnlib, has its own copy of this function."""
    mine = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_LIBRARY)]
    if not mine:
        return ""
    frame = mine[-1]
    return f" (line {frame.lineno} of your cell: `{(frame.line or '').strip()[:120]}`)"


def hint(text):
    """A sentence for a NumPy shape error, in the book's terms ("" for other errors)."""
    for key, sentence in HINTS:
        if key in text:
            return f" Hint: {sentence}."
    return ""
