"""The LSTM layer: one step, and a whole sequence.

The four gates share one packed pre-activation ``a = x Wx + h_prev Wh + b`` of shape
(N, 4H), split in the order **i, f, o, g**::

    i = sigmoid(a_i)      input gate   (the book's "ignore factor" of the learn gate)
    f = sigmoid(a_f)      forget gate
    o = sigmoid(a_o)      output gate  (the use gate's filter)
    g = tanh(a_g)         candidate    (the learn gate's information vector N_t)
    c = f * c_prev + i * g             (the remember gate: the new long-term memory)
    h = o * tanh(c)                    (the use gate: the new short-term memory)

A step's cache keeps the gates packed as one (N, 4H) array ``gates = [i, f, o, g]``.
"""

from __future__ import annotations

from typing import NamedTuple

from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .backend import transposed_copy
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
    """One step from the packed pre-activation a (N, 4H) and c_prev (N, H).

    Returns h, c, ifo (N, 3H: the three sigmoid gates), g (N, H) and tanh(c).
    """
    H = c_prev.shape[1]
    ifo = sigmoid(a[:, : 3 * H])  # input, forget, output gates, (N, 3H)
    g = xp.tanh(a[:, 3 * H :])  # candidate, (N, H)
    c = ifo[:, H : 2 * H] * c_prev
    c += ifo[:, :H] * g  # c is new: adding in place saves a temporary
    tanh_c = xp.tanh(c)
    return ifo[:, 2 * H :] * tanh_c, c, ifo, g, tanh_c


def _lstm_cell_backward(xp, dh, dc, c_prev, ifo, g, tanh_c):
    """Gradients of the pre-activations, d_ifo (N, 3H) and dg (N, H), and of c_prev."""
    H = c_prev.shape[1]
    i, f, o = ifo[:, :H], ifo[:, H : 2 * H], ifo[:, 2 * H :]
    dc = dc + dh * o * tanh_grad_from_output(tanh_c)  # h = o * tanh(c): 1 - tanh(c)**2
    d_ifo = xp.concat([dc * g, dc * c_prev, dh * tanh_c], axis=1)  # di, df, do
    d_ifo = d_ifo * sigmoid_grad_from_output(ifo)  # through sigmoid: s(1 - s)
    dg = dc * i * tanh_grad_from_output(g)  # through tanh: 1 - g**2
    return d_ifo, dg, dc * f


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
    h, c, ifo, g, tanh_c = _lstm_cell(xp, a, c_prev)
    gates = xp.concat([ifo, g], axis=1)  # i, f, o, g
    return h, c, LSTMStepCache(x, h_prev, c_prev, Wx, Wh, gates, tanh_c)


def lstm_step_backward(dh, dc, cache):
    """Backward of :func:`lstm_step_forward`.

    Inputs: dh (N, H) and dc (N, H), the upstream gradients of h and c; the cache.
    Returns ``(dx, dh_prev, dc_prev, dWx, dWh, db)`` with the shapes of x, h_prev,
    c_prev, Wx, Wh, b.
    """
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    xp, dims = check_inputs(c_prev=(c_prev, "N H"), dh=(dh, "N H"), dc=(dc, "N H"))
    H = dims["H"]
    d_ifo, dg, dc_prev = _lstm_cell_backward(xp, dh, dc, c_prev, gates[:, : 3 * H],
                                             gates[:, 3 * H :], tanh_c)
    da = xp.concat([d_ifo, dg], axis=1)  # (N, 4H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


class LSTMCache(NamedTuple):
    """What lstm_backward needs, time-major: ``h`` is one (T, N, H) array, the other
    per-step values are lists of T arrays (collecting them costs no copy)."""

    x: object  # (T*N, D): the inputs, time-major and flattened
    h0: object  # (N, H)
    c0: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    h: object  # (T, N, H): hidden state after every step
    c: object  # T arrays (N, H): cell state after every step
    ifo: object  # T arrays (N, 3H): input, forget and output gates
    g: object  # T arrays (N, H): candidate
    tanh_c: object  # T arrays (N, H)


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), and c0 (N, H),
    the initial cell state (zeros if not given).
    Returns ``(h, cache)`` with h (N, T, H). The cell states are in ``cache.c``, a
    list over time, so ``cache.c[-1]`` (N, H) carries the memory into a next chunk.
    The loop is :func:`lstm_step_forward`'s, with the input projection ``x Wx + b`` of
    all T steps done first as one matrix product: only ``h_prev Wh`` is sequential.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), c0=(c0, "N H"),
                            Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    if c0 is None:
        c0 = xp.zeros_like(h0)
    x_tm = xp.reshape(xp.permute_dims(x, (1, 0, 2)), (T * N, D))  # time-major rows
    xw = xp.reshape(x_tm @ Wx + b, (T, N, 4 * H))  # all steps at once
    hs, cs, ifos, gs, tanh_cs = [], [], [], [], []
    h, c = h0, c0
    for t in range(T):
        a = h @ Wh
        a += xw[t, ...]  # (N, 4H), a fresh array: adding in place saves a copy
        h, c, ifo, g, tanh_c = _lstm_cell(xp, a, c)
        for store, value in ((hs, h), (cs, c), (ifos, ifo), (gs, g), (tanh_cs, tanh_c)):
            store.append(value)
    hs = xp.stack(hs, axis=0)  # (T, N, H)
    cache = LSTMCache(x_tm, h0, c0, Wx, Wh, hs, cs, ifos, gs, tanh_cs)
    return xp.permute_dims(hs, (1, 0, 2)), cache


def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's hidden state; the
    gradients through time (of h and of the cell state c) are added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, 4H),
    dWh (H, 4H), db (4H,). (The gradient of c0 is not returned.)
    """
    x_tm, h0, c0, Wx, Wh, h, c, ifo, g, tanh_c = cache
    T, N, H = h.shape
    xp, _ = check_inputs(dh=(dh, f"{N} {T} {H}"), h0=(h0, "N H"))
    dh_tm = xp.permute_dims(dh, (1, 0, 2))  # (T, N, H)
    WhT = transposed_copy(xp, Wh)  # (4H, H), used at every step
    da = xp.empty((T, N, 4 * H), dtype=h.dtype)
    dh_next = xp.zeros_like(h0)
    dc_next = xp.zeros_like(h0)
    for t in reversed(range(T)):
        c_prev = c[t - 1] if t > 0 else c0
        da[t, :, : 3 * H], da[t, :, 3 * H :], dc_next = _lstm_cell_backward(
            xp, dh_tm[t, ...] + dh_next, dc_next, c_prev, ifo[t], g[t], tanh_c[t]
        )
        dh_next = da[t, ...] @ WhT
    da = xp.reshape(da, (T * N, 4 * H))
    h_prev = xp.reshape(xp.concat([h0[None, ...], h[:-1, ...]], axis=0), (T * N, H))
    dx = xp.permute_dims(xp.reshape(da @ Wx.T, (T, N, -1)), (1, 0, 2))
    dWx = x_tm.T @ da  # summed over all N*T steps
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_next, dWx, dWh, db
