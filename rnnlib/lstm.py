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
from .backend import into, transposed_copy
from .validate import check_inputs


class LSTMStepCache(NamedTuple):
    x: object  # (N, D)
    h_prev: object  # (N, H)
    c_prev: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    gates: object  # (N, 4H): i, f, o, g after their activations
    tanh_c: object  # (N, H)


def _blocks(a, H):
    """The four (N, H) column blocks of a packed (N, 4H) array, as views: i, f, o, g."""
    return (a[:, k * H : (k + 1) * H] for k in range(4))


def _lstm_cell(xp, a, c_prev, c, tanh_c, h):
    """One step from the packed pre-activation a (N, 4H) and c_prev (N, H).

    Works in place, on arrays that the caller made: a becomes the four gates i, f, o, g
    after their activations, and c, tanh(c) and h (N, H) are written into c, tanh_c, h.
    """
    H = c_prev.shape[1]
    g = xp.tanh(a[:, 3 * H :])  # candidate, (N, H)
    sigmoid(a, out=a)  # over the whole block: faster than over the i, f, o columns alone
    a[:, 3 * H :] = g  # a now holds the gates i, f, o, g
    i, f, o, _ = _blocks(a, H)
    into(c, xp.multiply, f, c_prev)  # c = f * c_prev + i * g
    c += i * g
    into(tanh_c, xp.tanh, c)
    into(h, xp.multiply, o, tanh_c)  # h = o * tanh(c)


def _lstm_cell_backward(xp, dh, dc, c_prev, gates, tanh_c, da):
    """Backward of :func:`_lstm_cell`, in place, on arrays that the caller made.

    dh (N, H) is the gradient of h; dc (N, H), that of c through the next step, becomes
    the gradient of c_prev; da (N, 4H) receives that of the pre-activation a.
    """
    H = c_prev.shape[1]
    i, f, o, g = _blocks(gates, H)
    di, df, do, dg = _blocks(da, H)
    into(do, xp.multiply, dh, tanh_c)  # h = o * tanh(c)
    dc += dh * o * tanh_grad_from_output(tanh_c)  # and through tanh: 1 - tanh(c)**2
    into(di, xp.multiply, dc, g)  # c = f * c_prev + i * g
    into(df, xp.multiply, dc, c_prev)
    into(dg, xp.multiply, dc, i)
    local = sigmoid_grad_from_output(gates)  # (N, 4H): through sigmoid, s(1 - s), ...
    local[:, 3 * H :] = tanh_grad_from_output(g)  # ... but through tanh for g: 1 - g**2
    da *= local
    dc *= f  # the cell path: c_prev reaches c through the forget gate


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step.

    Inputs: x (N, D), h_prev (N, H), c_prev (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,),
    with the 4H columns in the order i, f, o, g.
    Returns ``(h, c, cache)`` with h (N, H) the new hidden state (short-term memory)
    and c (N, H) the new cell state (long-term memory).
    """
    xp, _ = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), c_prev=(c_prev, "N H"),
                         Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    gates = x @ Wx + h_prev @ Wh + b  # (N, 4H), the pre-activation a until the cell
    dtype = xp.result_type(gates, c_prev)
    h, c, tanh_c = (xp.empty(c_prev.shape, dtype=dtype) for _ in range(3))
    _lstm_cell(xp, gates, c_prev, c, tanh_c, h)
    return h, c, LSTMStepCache(x, h_prev, c_prev, Wx, Wh, gates, tanh_c)


def lstm_step_backward(dh, dc, cache):
    """Backward of :func:`lstm_step_forward`.

    Inputs: dh (N, H) and dc (N, H), the upstream gradients of h and c; the cache.
    Returns ``(dx, dh_prev, dc_prev, dWx, dWh, db)`` with the shapes of x, h_prev,
    c_prev, Wx, Wh, b.
    """
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    xp, _ = check_inputs(c_prev=(c_prev, "N H"), dh=(dh, "N H"), dc=(dc, "N H"))
    dtype = xp.result_type(dh, dc, c_prev, gates, tanh_c)
    dc_prev = xp.astype(dc, dtype, copy=True)  # a copy: the cell works in place
    da = xp.empty(gates.shape, dtype=dtype)  # (N, 4H)
    _lstm_cell_backward(xp, dh, dc_prev, c_prev, gates, tanh_c, da)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


class LSTMCache(NamedTuple):
    """What lstm_backward needs, time-major: one (T, N, .) array per kind of value, and
    the cell states also as a list over time (views of their array, no copy)."""

    xh: object  # (T, N, D + H): every step's input x_t next to the state it read, h_prev
    c0: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    h: object  # (T, N, H): hidden state after every step
    c: object  # T arrays (N, H): cell state after every step
    gates: object  # (T, N, 4H): i, f, o, g after their activations
    tanh_c: object  # (T, N, H)


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), and c0 (N, H),
    the initial cell state (zeros if not given).
    Returns ``(h, cache)`` with h (N, T, H). The cell states are in ``cache.c``, a
    list over time, so ``cache.c[-1]`` (N, H) carries the memory into a next chunk.
    The loop is :func:`lstm_step_forward`'s, with ``x Wx + h_prev Wh`` as one matrix
    product of ``[x, h_prev]`` (N, D + H) and the stacked weights ``[Wx; Wh]``.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), c0=(c0, "N H"),
                            Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    if c0 is None:
        c0 = xp.zeros_like(h0)
    dtype = xp.result_type(x, h0, c0, Wx, Wh, b)
    xh = xp.empty((T, N, D + H), dtype=dtype)  # [x_t, h_prev] of every step, side by side
    xh[:, :, :D] = xp.permute_dims(x, (1, 0, 2))  # time-major
    xh[0, :, D:] = h0
    W = xp.concat([Wx, Wh], axis=0)  # (D + H, 4H): the packed weights act on [x, h_prev]
    gates = xp.empty((T, N, 4 * H), dtype=dtype)
    h, c, tanh_c = (xp.empty((T, N, H), dtype=dtype) for _ in range(3))
    c_prev = c0
    for t in range(T):
        a = into(gates[t, ...], xp.matmul, xh[t, ...], W)  # (N, 4H): x Wx + h_prev Wh
        a += b
        _lstm_cell(xp, a, c_prev, c[t, ...], tanh_c[t, ...], h[t, ...])
        if t + 1 < T:
            xh[t + 1, :, D:] = h[t, ...]  # the next step's h_prev
        c_prev = c[t, ...]
    cs = [c[t, ...] for t in range(T)]
    cache = LSTMCache(xh, c0, Wx, Wh, h, cs, gates, tanh_c)
    return xp.permute_dims(h, (1, 0, 2)), cache


def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's hidden state; the
    gradients through time (of h and of the cell state c) are added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, 4H),
    dWh (H, 4H), db (4H,). (The gradient of c0 is not returned.)
    """
    xh, c0, Wx, Wh, h, c, gates, tanh_c = cache
    T, N, H = h.shape
    D = xh.shape[2] - H
    xp, _ = check_inputs(dh=(dh, f"{N} {T} {H}"), c0=(c0, "N H"))
    dh_tm = xp.permute_dims(dh, (1, 0, 2))  # (T, N, H)
    WhT = transposed_copy(xp, Wh)  # (4H, H), used at every step
    da = xp.empty((T, N, 4 * H), dtype=h.dtype)
    dh_t, dh_next, dc_next = (xp.zeros((N, H), dtype=h.dtype) for _ in range(3))
    for t in reversed(range(T)):
        c_prev = c[t - 1] if t > 0 else c0
        into(dh_t, xp.add, dh_tm[t, ...], dh_next)  # from the loss and from step t + 1
        _lstm_cell_backward(xp, dh_t, dc_next, c_prev, gates[t, ...], tanh_c[t, ...],
                            da[t, ...])
        into(dh_next, xp.matmul, da[t, ...], WhT)
    da = xp.reshape(da, (T * N, 4 * H))
    dW = xp.reshape(xh, (T * N, D + H)).T @ da  # (D + H, 4H): dWx on dWh, summed over steps
    dx = xp.permute_dims(xp.reshape(da @ Wx.T, (T, N, D)), (1, 0, 2))
    db = xp.sum(da, axis=0)
    return dx, dh_next, dW[:D, :], dW[D:, :], db
