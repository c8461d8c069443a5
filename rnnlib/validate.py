"""Input checks that run before any arithmetic, with errors that name the argument.

Every public math function starts with one call::

    xp, dims = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), Wx=(Wx, "D H"), ...)

Each argument comes with a shape pattern over the book's letters (N batch, T time,
D input, H hidden, V vocabulary) where a term may carry a factor (``"H 4H"``). The
first argument that shows a letter fixes its size; every later argument must agree.
A mismatch raises ``ValueError`` with the argument's name, the shape received and
the shape expected; a list, an integer array or arrays of two libraries raise
``TypeError``.
"""

from __future__ import annotations

import re

from .backend import array_namespace, is_array

_TERM = re.compile(r"^(\d*)([A-Z])$")


def _describe(a) -> str:
    if is_array(a):
        return f"an array of dtype {a.dtype}"
    return f"a {type(a).__name__}"


def check_array(name: str, a, kind: str = "real floating"):
    """Raise ``TypeError`` unless ``a`` is an array whose dtype is of ``kind``.

    ``kind`` is an array-API dtype kind: ``"real floating"`` or ``"integral"``;
    ``"any"`` accepts every dtype.
    """
    if not is_array(a):
        raise TypeError(f"{name}: expected an array, got {_describe(a)}")
    if kind == "any":
        return
    xp = array_namespace(a)
    try:
        ok = xp.isdtype(a.dtype, kind)
    except (TypeError, ValueError):  # object arrays and other dtypes outside the standard
        ok = False
    if not ok:
        wanted = "a floating-point" if kind == "real floating" else "an integer"
        raise TypeError(f"{name}: expected {wanted} array, got dtype {a.dtype}")


def _bind(name: str, shape: tuple, pattern: str, dims: dict) -> None:
    terms = pattern.split()
    expected_text = "(" + ", ".join(terms) + ")"
    if len(shape) != len(terms):
        raise ValueError(
            f"{name}: expected a {len(terms)}-D array of shape {expected_text}, "
            f"got shape {tuple(shape)}"
        )
    for size, term in zip(shape, terms):
        match = _TERM.match(term)
        if match is None:  # a literal size such as "1"
            if int(term) != size:
                raise ValueError(f"{name}: expected shape {expected_text}, got shape {tuple(shape)}")
            continue
        factor = int(match.group(1) or 1)
        letter = match.group(2)
        if letter not in dims:
            if size % factor:
                raise ValueError(
                    f"{name}: expected shape {expected_text}, got shape {tuple(shape)} "
                    f"({size} is not a multiple of {factor})"
                )
            dims[letter] = size // factor
        elif dims[letter] * factor != size:
            known = ", ".join(f"{k}={v}" for k, v in dims.items())
            wanted = "(" + ", ".join(_expand(t, dims) for t in terms) + ")"
            raise ValueError(
                f"{name}: expected shape {expected_text} = {wanted} given {known}, "
                f"got shape {tuple(shape)}"
            )


def _expand(term: str, dims: dict) -> str:
    match = _TERM.match(term)
    if match is None:
        return term
    factor = int(match.group(1) or 1)
    letter = match.group(2)
    return str(factor * dims[letter]) if letter in dims else term


def check_inputs(**specs):
    """Check arrays against shape patterns; return ``(xp, dims)``.

    Each keyword is ``name=(array, pattern)`` or ``name=(array, pattern, kind)`` with
    ``kind`` as in :func:`check_array` (default ``"real floating"``); an array given as
    ``None`` is skipped. ``dims`` maps each letter to its size.
    """
    dims: dict[str, int] = {}
    present = {}
    for name, spec in specs.items():
        a, pattern, *rest = spec
        if a is None:
            continue
        check_array(name, a, rest[0] if rest else "real floating")
        present[name] = a
    try:
        xp = array_namespace(*present.values())
    except TypeError:
        libraries = {name: type(a).__module__.split(".")[0] for name, a in present.items()}
        raise TypeError(
            "arrays from different libraries cannot be mixed: "
            + ", ".join(f"{name} is {lib}" for name, lib in libraries.items())
        ) from None
    for name, a in present.items():
        _bind(name, tuple(a.shape), specs[name][1], dims)
    return xp, dims
