"""The simple (Elman) recurrent layer: one step, and a whole sequence.

In the book's row-vector notation a step is ``h = tanh(x Wx + h_prev Wh + b)``.
The sequence functions project the inputs of all T steps with one matrix product
(``x Wx + b`` does not depend on the recurrence); only ``h_prev Wh`` is sequential.
Backward runs the steps in reverse, threads ``dh_next`` and accumulates the weight
gradients over all steps (again with one matrix product each).
"""

from __future__ import annotations

from typing import NamedTuple

from .activations import tanh_grad_from_output
from .backend import transposed_copy
from .validate import check_inputs


class RNNStepCache(NamedTuple):
    x: object  # (N, D)
    h_prev: object  # (N, H)
    Wx: object  # (D, H)
    Wh: object  # (H, H)
    h: object  # (N, H)


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One step of a tanh RNN.

    Inputs: x (N, D), h_prev (N, H), Wx (D, H), Wh (H, H), b (H,).
    Returns ``(h, cache)`` with h (N, H) = tanh(x Wx + h_prev Wh + b).
    """
    xp, _ = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), Wx=(Wx, "D H"),
                         Wh=(Wh, "H H"), b=(b, "H"))
    h = xp.tanh(x @ Wx + h_prev @ Wh + b)
    return h, RNNStepCache(x, h_prev, Wx, Wh, h)


def rnn_step_backward(dh, cache):
    """Backward of :func:`rnn_step_forward`.

    Inputs: dh (N, H), the upstream gradient of h; the step's cache.
    Returns ``(dx, dh_prev, dWx, dWh, db)`` with the shapes of x, h_prev, Wx, Wh, b.
    """
    x, h_prev, Wx, Wh, h = cache
    xp, _ = check_inputs(h=(h, "N H"), dh=(dh, "N H"))
    da = dh * tanh_grad_from_output(h)  # through tanh: 1 - h**2, (N, H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dWx, dWh, db


class RNNCache(NamedTuple):
    """What rnn_backward needs; per-step arrays are time-major, (T, N, .)."""

    x: object  # (T*N, D): the inputs, time-major and flattened
    h0: object  # (N, H)
    Wx: object  # (D, H)
    Wh: object  # (H, H)
    h: object  # (T, N, H): the hidden state after every step


def rnn_forward(x, h0, Wx, Wh, b):
    """Run a tanh RNN over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,).
    Returns ``(h, cache)`` with h (N, T, H), the hidden state after every step.
    The loop is :func:`rnn_step_forward`'s, with the input projection ``x Wx + b`` of
    all T steps done first as one matrix product: only ``h_prev Wh`` is sequential.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), Wx=(Wx, "D H"),
                            Wh=(Wh, "H H"), b=(b, "H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    x_tm = xp.reshape(xp.permute_dims(x, (1, 0, 2)), (T * N, D))  # time-major rows
    xw = xp.reshape(x_tm @ Wx + b, (T, N, H))  # all steps at once
    hs = xp.empty((T, N, H), dtype=xw.dtype)
    h = h0
    for t in range(T):
        a = h @ Wh
        a += xw[t, ...]
        h = xp.tanh(a)
        hs[t, ...] = h
    return xp.permute_dims(hs, (1, 0, 2)), RNNCache(x_tm, h0, Wx, Wh, hs)


def rnn_backward(dh, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's output (from a loss
    on each step, or zeros but the last); the gradient that flows back through time
    from step t+1 is added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, H),
    dWh (H, H), db (H,).
    """
    x_tm, h0, Wx, Wh, h = cache
    T, N, H = h.shape
    xp, _ = check_inputs(dh=(dh, f"{N} {T} {H}"), h0=(h0, "N H"))
    dh_tm = xp.permute_dims(dh, (1, 0, 2))  # (T, N, H)
    WhT = transposed_copy(xp, Wh)  # used at every step
    da = xp.empty((T, N, H), dtype=h.dtype)
    dh_next = xp.zeros_like(h0)
    for t in reversed(range(T)):
        da[t, ...] = (dh_tm[t, ...] + dh_next) * tanh_grad_from_output(h[t, ...])  # 1 - h**2
        dh_next = da[t, ...] @ WhT  # the gradient that reaches h_{t-1}
    da = xp.reshape(da, (T * N, H))
    h_prev = xp.reshape(xp.concat([h0[None, ...], h[:-1, ...]], axis=0), (T * N, H))
    dx = xp.permute_dims(xp.reshape(da @ Wx.T, (T, N, -1)), (1, 0, 2))
    dWx = x_tm.T @ da  # summed over all N*T steps
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_next, dWx, dWh, db
