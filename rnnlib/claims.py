"""The checks behind the book's numbers: every figure the prose states is computed, and
:func:`claim` says whether it still holds.

Building the book (``make book``, ``make pdf``, ``tools/build_one.sh`` and the tests set
``RNNLIB_BOOK_BUILD=1``), a claim that does not hold stops the build, as an ``assert``
would: the text and the code beside it disagree. In a live notebook, where a reader has
changed a setting and run the chapter again, the same claim prints a short note
instead: the sentence describes the chapter's default settings, and the reader's run
is allowed to differ.
"""

from __future__ import annotations

import os

BUILD_ENV = "RNNLIB_BOOK_BUILD"
NOTE = "Note: the text describes the chapter's default settings. With yours, this no longer holds: "


class ClaimError(AssertionError):
    """A sentence of the book that its own computation does not back."""


def building_the_book():
    """True when the book is being built (``RNNLIB_BOOK_BUILD`` set to anything but 0 or empty)."""
    return os.environ.get(BUILD_ENV, "") not in ("", "0")


def claim(holds, says):
    """Back one sentence of the book with a check; return ``bool(holds)``.

    holds: the condition the prose relies on (a bool, or anything with a truth value,
        such as a NumPy boolean).
    says: the sentence in a few words, e.g. ``"the horizon of a tanh RNN at r = 1 is 12
        steps"``; it is the message of the failure or of the note.

    Raises :class:`ClaimError` while building the book; prints :data:`NOTE` and ``says``
    in a live notebook.
    """
    if not isinstance(says, str) or not says.strip():
        raise TypeError(f"says: expected the claim as a non-empty sentence (str), got {says!r}")
    if bool(holds):
        return True
    if building_the_book():
        raise ClaimError(says)
    print(NOTE + says)
    return False
