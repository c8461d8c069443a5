"""The LSTM layer: one step, and a whole sequence.

The four gates share one packed pre-activation ``a = x Wx + h_prev Wh + b`` of shape
(N, 4H), split in the order **i, f, o, g**::

    i = sigmoid(a_i)      input gate   (the book's "ignore factor" of the learn gate)
    f = sigmoid(a_f)      forget gate
    o = sigmoid(a_o)      output gate  (the use gate's filter)
    g = tanh(a_g)         candidate    (the learn gate's information vector N_t)
    c = f * c_prev + i * g             (the remember gate: the new long-term memory)
    h = o * tanh(c)                    (the use gate: the new short-term memory)

In the cache the gates stay packed as one (N, 4H) array ``gates = [i, f, o, g]``, so
the backward pass forms the packed ``da`` with one concatenation.
"""

from __future__ import annotations

from typing import NamedTuple

from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .validate import check_inputs


class LSTMStepCache(NamedTuple):
    x: object  # (N, D)
    h_prev: object  # (N, H)
    c_prev: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    gates: object  # (N, 4H): i, f, o, g after their activations
    tanh_c: object  # (N, H)


def _lstm_cell(xp, a, c_prev):
    """Gates and new state from the packed pre-activation a (N, 4H) and c_prev (N, H)."""
    H = c_prev.shape[1]
    gates = xp.concat([sigmoid(a[:, : 3 * H]), xp.tanh(a[:, 3 * H :])], axis=1)  # (N, 4H)
    i, f, o, g = (gates[:, k * H : (k + 1) * H] for k in range(4))
    c = f * c_prev + i * g
    tanh_c = xp.tanh(c)
    return o * tanh_c, c, gates, tanh_c


def _lstm_cell_backward(xp, dh, dc, c_prev, gates, tanh_c):
    """Gradients of the packed pre-activation (N, 4H) and of c_prev (N, H)."""
    H = c_prev.shape[1]
    i, f, o, g = (gates[:, k * H : (k + 1) * H] for k in range(4))
    dc = dc + dh * o * tanh_grad_from_output(tanh_c)  # h = o * tanh(c): 1 - tanh(c)**2
    d_gates = xp.concat([dc * g, dc * c_prev, dh * tanh_c, dc * i], axis=1)  # di, df, do, dg
    local = xp.concat(  # through sigmoid: s(1 - s); through tanh: 1 - g**2
        [sigmoid_grad_from_output(gates[:, : 3 * H]), tanh_grad_from_output(g)], axis=1
    )
    return d_gates * local, dc * f


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step.

    Inputs: x (N, D), h_prev (N, H), c_prev (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,),
    with the 4H columns in the order i, f, o, g.
    Returns ``(h, c, cache)`` with h (N, H) the new hidden state (short-term memory)
    and c (N, H) the new cell state (long-term memory).
    """
    xp, _ = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), c_prev=(c_prev, "N H"),
                         Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    h, c, gates, tanh_c = _lstm_cell(xp, a, c_prev)
    return h, c, LSTMStepCache(x, h_prev, c_prev, Wx, Wh, gates, tanh_c)


def lstm_step_backward(dh, dc, cache):
    """Backward of :func:`lstm_step_forward`.

    Inputs: dh (N, H) and dc (N, H), the upstream gradients of h and c; the cache.
    Returns ``(dx, dh_prev, dc_prev, dWx, dWh, db)`` with the shapes of x, h_prev,
    c_prev, Wx, Wh, b.
    """
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    xp, _ = check_inputs(dh=(dh, "N H"), dc=(dc, "N H"), c_prev=(c_prev, "N H"))
    da, dc_prev = _lstm_cell_backward(xp, dh, dc, c_prev, gates, tanh_c)  # (N, 4H), (N, H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


class LSTMCache(NamedTuple):
    x: object  # (N, T, D)
    h0: object  # (N, H)
    c0: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    h: object  # (N, T, H): hidden state after every step
    c: object  # (N, T, H): cell state after every step
    gates: object  # (N, T, 4H)
    tanh_c: object  # (N, T, H)


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), and c0 (N, H),
    the initial cell state (zeros if not given).
    Returns ``(h, cache)`` with h (N, T, H); the cell states are in ``cache.c``
    (N, T, H), so ``cache.c[:, -1]`` carries the memory into a next chunk.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), c0=(c0, "N H"),
                            Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    if c0 is None:
        c0 = xp.zeros_like(h0)
    xw = xp.reshape(xp.reshape(x, (N * T, D)) @ Wx + b, (N, T, 4 * H))  # all steps at once
    hs, cs, gs, tcs = [], [], [], []
    h, c = h0, c0
    for t in range(T):
        h, c, gates, tanh_c = _lstm_cell(xp, xw[:, t, :] + h @ Wh, c)
        hs.append(h)
        cs.append(c)
        gs.append(gates)
        tcs.append(tanh_c)
    stack = lambda arrays: xp.stack(arrays, axis=1)  # noqa: E731
    h = stack(hs)
    return h, LSTMCache(x, h0, c0, Wx, Wh, h, stack(cs), stack(gs), stack(tcs))


def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's hidden state; the
    gradients through time (of h and of the cell state c) are added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, 4H),
    dWh (H, 4H), db (4H,). (The gradient of c0 is not returned.)
    """
    x, h0, c0, Wx, Wh, h, c, gates, tanh_c = cache
    xp, dims = check_inputs(dh=(dh, "N T H"), h=(h, "N T H"), x=(x, "N T D"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    das = [None] * T
    dh_next = xp.zeros_like(h0)
    dc_next = xp.zeros_like(h0)
    for t in reversed(range(T)):
        c_prev = c[:, t - 1, :] if t > 0 else c0
        da, dc_next = _lstm_cell_backward(
            xp, dh[:, t, :] + dh_next, dc_next, c_prev, gates[:, t, :], tanh_c[:, t, :]
        )
        dh_next = da @ Wh.T
        das[t] = da
    da = xp.reshape(xp.stack(das, axis=1), (N * T, 4 * H))
    h_prev = xp.concat([h0[:, None, :], h[:, :-1, :]], axis=1)  # (N, T, H)
    dx = xp.reshape(da @ Wx.T, (N, T, D))
    dWx = xp.reshape(x, (N * T, D)).T @ da
    dWh = xp.reshape(h_prev, (N * T, H)).T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_next, dWx, dWh, db
