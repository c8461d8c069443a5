"""Seeded parameter initialisation, so every example in the book is reproducible.

Weights are drawn on the CPU from a seeded generator and moved to the selected
backend (see :mod:`rnnlib.backend`), so a seed gives the same numbers everywhere.
Input weights are scaled by 1/sqrt(fan-in); recurrent weights by 1/sqrt(H) as well,
which puts the spectral radius of Wh near 1 (chapter 4 explains why that matters),
although its singular values spread widely (for H = 32, from about 0.03 to 1.8).
"""

from __future__ import annotations

from .backend import asarray, default_rng

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _draw(rng, shape, scale, dtype):
    return asarray(scale * rng.standard_normal(shape), dtype=dtype)


def init_recurrent(cell, D, H, seed=0, dtype="float64", scale=1.0):
    """Parameters ``{"Wx", "Wh", "b"}`` for a recurrent layer.

    cell is ``"rnn"``, ``"lstm"`` or ``"gru"``; the weights are Wx (D, kH), Wh (H, kH),
    b (kH,) with k = 1, 4 or 3 gates. ``scale`` multiplies both weight matrices. The
    LSTM's forget-gate bias starts at 1, so the cell remembers by default (Gers et
    al., 2000); all other biases start at 0.
    """
    if cell not in _GATES:
        raise ValueError(f"cell: expected one of {tuple(_GATES)}, got {cell!r}")
    for name, value in (("D", D), ("H", H)):
        if not (isinstance(value, int) and value > 0):
            raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    k = _GATES[cell]
    rng = default_rng(seed)
    Wx = _draw(rng, (D, k * H), scale / D**0.5, dtype)
    Wh = _draw(rng, (H, k * H), scale / H**0.5, dtype)
    b = [0.0] * (k * H)
    if cell == "lstm":
        b[H : 2 * H] = [1.0] * H  # i, f, o, g: the forget gate's block
    return {"Wx": Wx, "Wh": Wh, "b": asarray(b, dtype=dtype)}


def init_affine(D, V, seed=0, dtype="float64"):
    """Parameters ``{"W", "b"}`` of an affine layer: W (D, V) ~ N(0, 1/D), b (V,) zeros."""
    rng = default_rng(seed)
    return {"W": _draw(rng, (D, V), 1.0 / D**0.5, dtype), "b": asarray([0.0] * V, dtype=dtype)}


def init_embedding(V, D, seed=0, dtype="float64"):
    """An embedding table W (V, D) ~ N(0, 1)."""
    return _draw(default_rng(seed), (V, D), 1.0, dtype)


def random_array(shape, seed=0, dtype="float64", scale=1.0):
    """A seeded array of standard normal draws of any shape, on the selected backend."""
    return _draw(default_rng(seed), tuple(shape), scale, dtype)
