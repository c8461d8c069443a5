"""A whole sequence model: optional embedding, one recurrent layer, an affine readout.

Parameters live in one dict: ``Wx, Wh, b`` of the recurrent layer, ``Wy, by`` of the
readout (003's ``y_t = s_t W_y``, with a bias), and ``We`` (V_in, D) when the inputs
are token ids. :func:`model_loss` runs forward and backward together and returns the
gradient of every parameter under the same names, ready for clipping and an
optimiser.
"""

from __future__ import annotations

from .backend import array_namespace
from .gru import gru_backward, gru_forward
from .init import init_affine, init_embedding, init_recurrent
from .layers import (embedding_backward, embedding_forward, temporal_affine_backward,
                     temporal_affine_forward)
from .losses import mse_loss, softmax_cross_entropy
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

CELLS = {
    "rnn": (rnn_forward, rnn_backward),
    "lstm": (lstm_forward, lstm_backward),
    "gru": (gru_forward, gru_backward),
}


def init_model(cell, D, H, V, seed=0, dtype="float64", vocab=None):
    """Parameters of a model with a ``cell`` ("rnn", "lstm", "gru") of H units.

    D is the input size (the embedding size when ``vocab`` is given), V the output
    size; with ``vocab`` = V_in the inputs are token ids looked up in ``We`` (V_in, D).
    """
    params = init_recurrent(cell, D, H, seed=seed, dtype=dtype)
    readout = init_affine(H, V, seed=seed + 1, dtype=dtype)
    params["Wy"], params["by"] = readout["W"], readout["b"]
    if vocab is not None:
        params["We"] = init_embedding(vocab, D, seed=seed + 2, dtype=dtype)
    return params


def _cell(cell):
    if cell not in CELLS:
        raise ValueError(f"cell: expected one of {tuple(CELLS)}, got {cell!r}")
    return CELLS[cell]


def run_cell(params, cell, x, state=None):
    """Forward through the embedding (if any) and the recurrent layer.

    x is (N, T, D) floats or (N, T) token ids; state is h0 (N, H), or (h0, c0) for the
    LSTM, or None for zeros. Returns ``(h, final_state, caches)`` with h (N, T, H).
    """
    forward, _ = _cell(cell)
    emb_cache = None
    if "We" in params:
        x, emb_cache = embedding_forward(x, params["We"])
    xp = array_namespace(x)
    H = params["Wh"].shape[0]
    if state is None:
        state = xp.zeros((x.shape[0], H), dtype=x.dtype)
        state = (state, state) if cell == "lstm" else state
    if cell == "lstm":
        h, cache = forward(x, state[0], params["Wx"], params["Wh"], params["b"], c0=state[1])
        final = (h[:, -1, :], cache.c[-1])  # cache.c is time-major (T, N, H)
    else:
        h, cache = forward(x, state, params["Wx"], params["Wh"], params["b"])
        final = h[:, -1, :]
    return h, final, (emb_cache, cache)


def model_loss(params, cell, x, targets, state=None, loss="ce", mask=None, first=0):
    """Loss and gradients of every parameter for one chunk of sequence.

    Inputs: x (N, T, D) or ids (N, T); for ``loss="ce"`` targets, the labels (N, T), with
    an optional mask (N, T); for ``loss="mse"`` targets (N, T, V) for every step, or
    (N, V) for the last step only (many-to-one). Steps before ``first`` feed the state
    but carry no loss (truncated BPTT uses this for its overlap).
    Returns ``(loss, grads, final_state)``.
    """
    h, final, caches = run_cell(params, cell, x, state)
    value, grads = backprop(params, cell, h, caches, targets, loss, mask, first)
    return value, grads, final


def backprop(params, cell, h, caches, targets, loss="ce", mask=None, first=0):
    """The second half of :func:`model_loss`, from the outputs of :func:`run_cell`.

    Returns ``(loss, grads)``.
    """
    _, backward = _cell(cell)
    emb_cache, cache = caches
    xp = array_namespace(h)
    N, T, H = h.shape
    many_to_one = loss == "mse" and len(targets.shape) == 2
    start = T - 1 if many_to_one else first
    scores, out_cache = temporal_affine_forward(h[:, start:, :], params["Wy"], params["by"])
    if loss == "ce":
        m = None if mask is None else mask[:, start:]
        value, dscores = softmax_cross_entropy(scores, targets[:, start:], m)
    elif loss == "mse":
        target = targets[:, None, :] if many_to_one else targets[:, start:, :]
        value, dscores = mse_loss(scores, target)
    else:
        raise ValueError(f"loss: expected 'ce' or 'mse', got {loss!r}")
    dh_out, dWy, dby = temporal_affine_backward(dscores, out_cache)
    dh = xp.concat([xp.zeros((N, start, H), dtype=h.dtype), dh_out], axis=1)
    dx, _, dWx, dWh, db = backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}
    if emb_cache is not None:
        grads["We"] = embedding_backward(dx, emb_cache)
    return value, grads


def predict(params, cell, x, state=None):
    """Scores (N, T, V) of the model for inputs x, and the final state."""
    h, final, _ = run_cell(params, cell, x, state)
    scores, _ = temporal_affine_forward(h, params["Wy"], params["by"])
    return scores, final
