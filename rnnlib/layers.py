"""Output and input layers: affine, temporal affine, embedding.

An RNN's hidden states become outputs through an affine map, ``y = h Wy + by``
(003's ``y_t = s_t W_y``, with a bias); characters become vectors through an
embedding table.
"""

from __future__ import annotations

from typing import NamedTuple

from .validate import check_inputs


class AffineCache(NamedTuple):
    x: object  # (N, D) or (N, T, H)
    W: object  # (D, V)


def affine_forward(x, W, b):
    """``out = x W + b`` for one step.

    Inputs: x (N, D), W (D, V), b (V,). Returns ``(out, cache)`` with out (N, V).
    """
    check_inputs(x=(x, "N D"), W=(W, "D V"), b=(b, "V"))
    return x @ W + b, AffineCache(x, W)


def affine_backward(dout, cache):
    """Backward of :func:`affine_forward`: dout (N, V) -> ``(dx, dW, db)``."""
    x, W = cache
    xp, _ = check_inputs(x=(x, "N D"), W=(W, "D V"), dout=(dout, "N V"))
    return dout @ W.T, x.T @ dout, xp.sum(dout, axis=0)


def temporal_affine_forward(h, W, b):
    """The same affine map applied at every step.

    Inputs: h (N, T, H), W (H, V), b (V,). Returns ``(out, cache)`` with out (N, T, V).
    """
    xp, dims = check_inputs(h=(h, "N T H"), W=(W, "H V"), b=(b, "V"))
    N, T, H, V = dims["N"], dims["T"], dims["H"], dims["V"]
    out = xp.reshape(xp.reshape(h, (N * T, H)) @ W + b, (N, T, V))
    return out, AffineCache(h, W)


def temporal_affine_backward(dout, cache):
    """Backward of :func:`temporal_affine_forward`.

    Inputs: dout (N, T, V). Returns ``(dh, dW, db)``: dh (N, T, H), dW (H, V), db (V,),
    the weight gradients summed over all N*T steps.
    """
    h, W = cache
    xp, dims = check_inputs(h=(h, "N T H"), W=(W, "H V"), dout=(dout, "N T V"))
    N, T, H, V = dims["N"], dims["T"], dims["H"], dims["V"]
    d2 = xp.reshape(dout, (N * T, V))
    dh = xp.reshape(d2 @ W.T, (N, T, H))
    dW = xp.reshape(h, (N * T, H)).T @ d2
    return dh, dW, xp.sum(d2, axis=0)


class EmbeddingCache(NamedTuple):
    idx: object  # (N, T) integer
    W: object  # (V, D)


def _one_hot(xp, idx, V, dtype):
    """(M,) integer labels -> (M, V) one-hot rows of ``dtype``."""
    return xp.astype(idx[:, None] == xp.arange(V, dtype=idx.dtype)[None, :], dtype)


def embedding_forward(idx, W):
    """Look up a vector for every token.

    Inputs: idx (N, T) integers in [0, V), W (V, D). Returns ``(out, cache)`` with
    out (N, T, D), ``out[n, t] = W[idx[n, t]]``.
    """
    xp, dims = check_inputs(idx=(idx, "N T", "integral"), W=(W, "V D"))
    V = dims["V"]
    if idx.shape[0] * idx.shape[1] and (xp.min(idx) < 0 or xp.max(idx) >= V):
        raise ValueError(f"idx: expected token ids in [0, {V}), got values in "
                         f"[{int(xp.min(idx))}, {int(xp.max(idx))}]")
    out = xp.take(W, xp.reshape(idx, (-1,)), axis=0)
    return xp.reshape(out, (*idx.shape, W.shape[1])), EmbeddingCache(idx, W)


def embedding_backward(dout, cache):
    """Backward of :func:`embedding_forward`: dout (N, T, D) -> dW (V, D).

    Rows of tokens that occur several times add up; rows never used get zeros.
    """
    idx, W = cache
    xp, dims = check_inputs(idx=(idx, "N T", "integral"), W=(W, "V D"), dout=(dout, "N T D"))
    N, T, D, V = dims["N"], dims["T"], dims["D"], dims["V"]
    one_hot = _one_hot(xp, xp.reshape(idx, (N * T,)), V, dout.dtype)  # (N*T, V)
    return one_hot.T @ xp.reshape(dout, (N * T, D))
