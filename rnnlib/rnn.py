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
    xp, _ = check_inputs(dh=(dh, "N H"), h=(h, "N H"))
    da = dh * tanh_grad_from_output(h)  # through tanh: 1 - h**2, (N, H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dWx, dWh, db


class RNNCache(NamedTuple):
    x: object  # (N, T, D)
    h0: object  # (N, H)
    Wx: object  # (D, H)
    Wh: object  # (H, H)
    h: object  # (N, T, H), the outputs of every step


def rnn_forward(x, h0, Wx, Wh, b):
    """Run a tanh RNN over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,).
    Returns ``(h, cache)`` with h (N, T, H), the hidden state after every step.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), Wx=(Wx, "D H"),
                            Wh=(Wh, "H H"), b=(b, "H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    xw = xp.reshape(xp.reshape(x, (N * T, D)) @ Wx + b, (N, T, H))  # all steps at once
    hs = []
    h = h0
    for t in range(T):
        h = xp.tanh(xw[:, t, :] + h @ Wh)
        hs.append(h)
    h = xp.stack(hs, axis=1)
    return h, RNNCache(x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's output (from a loss
    on each step, or zeros but the last); the gradient that flows back through time
    from step t+1 is added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, H),
    dWh (H, H), db (H,).
    """
    x, h0, Wx, Wh, h = cache
    xp, dims = check_inputs(dh=(dh, "N T H"), h=(h, "N T H"), x=(x, "N T D"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    das = [None] * T
    dh_next = xp.zeros_like(h0)
    for t in reversed(range(T)):
        da = (dh[:, t, :] + dh_next) * tanh_grad_from_output(h[:, t, :])  # (N, H)
        dh_next = da @ Wh.T  # the gradient that reaches h_{t-1}
        das[t] = da
    da = xp.reshape(xp.stack(das, axis=1), (N * T, H))
    h_prev = xp.concat([h0[:, None, :], h[:, :-1, :]], axis=1)  # (N, T, H): h_{t-1} of every step
    dx = xp.reshape(da @ Wx.T, (N, T, D))
    dWx = xp.reshape(x, (N * T, D)).T @ da  # summed over all N*T steps
    dWh = xp.reshape(h_prev, (N * T, H)).T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_next, dWx, dWh, db
