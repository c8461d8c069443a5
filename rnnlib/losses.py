"""Losses, each returning ``(loss, dscores)``: the value and its gradient together.

Cross-entropy follows the book's convention for a mini-batch: a sum over an example's
time steps, then a mean over the N examples of the batch (the average of the M samples
of 003's mini-batch gradient descent). The squared error is the plain mean over every
element, as its name says; 003's E = 0.5 * ||y - d||**2 for one step of V outputs is
(V / 2) * mse_loss.
"""

from __future__ import annotations

from .layers import _one_hot
from .validate import check_inputs


def softmax_cross_entropy(scores, targets, mask=None):
    """Softmax followed by cross-entropy with integer labels.

    Inputs: scores (N, V) with integer targets (N,), the correct class of each row, or
    scores (N, T, V) with targets (N, T) and an optional mask (N, T) (bool or 0/1
    floats) that switches steps off. (The book writes a target d and an output y.)
    Returns ``(loss, dscores)``: loss is the mean over the N examples of their summed
    (masked) per-step losses, a Python float; dscores has the shape of scores.
    Stable for scores of any magnitude: the largest score of each row is subtracted
    before exponentiating.
    """
    if len(getattr(scores, "shape", ())) == 3:
        xp, dims = check_inputs(scores=(scores, "N T V"), targets=(targets, "N T", "integral"),
                                mask=(mask, "N T", "any"))
    else:
        if mask is not None:
            raise ValueError("mask: only meaningful for scores of shape (N, T, V); "
                             f"got scores of shape {tuple(scores.shape)}")
        xp, dims = check_inputs(scores=(scores, "N V"), targets=(targets, "N", "integral"))
    N, V = dims["N"], dims["V"]
    if targets.shape[0] and (xp.min(targets) < 0 or xp.max(targets) >= V):
        raise ValueError(f"targets: expected labels in [0, {V}), got values in "
                         f"[{int(xp.min(targets))}, {int(xp.max(targets))}]")
    flat = xp.reshape(scores, (-1, V))  # (M, V), M = N or N*T
    shifted = flat - xp.max(flat, axis=1, keepdims=True)
    log_z = xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
    log_p = shifted - log_z
    one_hot = _one_hot(xp, xp.reshape(targets, (-1,)), V, scores.dtype)  # (M, V)
    weight = xp.ones((flat.shape[0], 1), dtype=scores.dtype)
    if mask is not None:
        weight = xp.reshape(xp.astype(mask, scores.dtype), (-1, 1))
    loss = -xp.sum(weight * one_hot * log_p) / N
    dflat = (xp.exp(log_p) - one_hot) * weight / N
    return float(loss), xp.reshape(dflat, scores.shape)


def mse_loss(pred, target):
    """Mean squared error over all elements.

    Inputs: pred and target of the same shape, e.g. (N, T, V) or (N, V).
    Returns ``(loss, dpred)`` with loss = mean((pred - target)**2), a Python float.
    """
    rank = len(getattr(pred, "shape", ()))
    pattern = " ".join("ABCEFG"[:rank])  # any shape, as long as both agree
    xp, _ = check_inputs(pred=(pred, pattern), target=(target, pattern))
    diff = pred - target
    size = 1
    for s in pred.shape:
        size *= s
    return float(xp.sum(diff * diff) / size), (2.0 / size) * diff
