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
The cell itself takes them as (4, N, H), the four blocks stacked along a first axis
(:func:`_by_gate` makes that view of a packed array), so that a whole sequence can
keep each gate's block in one contiguous piece of memory.
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


def _by_gate(xp, a):
    """The packed (N, 4H) array ``a`` seen as (4, N, H): its column blocks i, f, o, g
    stacked along a first axis. A view, no copy: writing into it writes into ``a``."""
    N, H = a.shape[0], a.shape[1] // 4
    return xp.permute_dims(xp.reshape(a, (N, 4, H)), (1, 0, 2))


def _lstm_cell(xp, a, c_prev, c, tanh_c, h):
    """One step from the pre-activations a (4, N, H) of i, f, o, g and c_prev (N, H).

    Works in place, on arrays that the caller made: a becomes the four gates i, f, o, g
    after their activations, and c, tanh(c) and h (N, H) are written into c, tanh_c, h.
    """
    sigmoid(a[:3, ...], out=a[:3, ...])  # the three gates i, f, o
    into(a[3, ...], xp.tanh, a[3, ...])  # the candidate g
    i, f, o, g = (a[k, ...] for k in range(4))
    into(c, xp.multiply, f, c_prev)  # c = f * c_prev + i * g
    c += i * g
    into(tanh_c, xp.tanh, c)
    into(h, xp.multiply, o, tanh_c)  # h = o * tanh(c)


def _lstm_cell_backward(xp, dh, dc, c_prev, gates, tanh_c, da):
    """Backward of :func:`_lstm_cell`, in place, on arrays that the caller made.

    dh (N, H) is the gradient of h; dc (N, H), that of c through the next step, becomes
    the gradient of c_prev; gates (4, N, H) are i, f, o, g; da (4, N, H) receives the
    gradients of their pre-activations.
    """
    i, f, o, g = (gates[k, ...] for k in range(4))
    di, df, do, dg = (da[k, ...] for k in range(4))
    into(do, xp.multiply, dh, tanh_c)  # h = o * tanh(c)
    dc += dh * o * tanh_grad_from_output(tanh_c)  # and through tanh: 1 - tanh(c)**2
    into(di, xp.multiply, dc, g)  # c = f * c_prev + i * g
    into(df, xp.multiply, dc, c_prev)
    into(dg, xp.multiply, dc, i)
    for d_gate, gate in ((di, i), (df, f), (do, o)):
        d_gate *= sigmoid_grad_from_output(gate)  # through each sigmoid: s(1 - s)
    dg *= tanh_grad_from_output(g)  # and through the candidate's tanh: 1 - g**2
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
    _lstm_cell(xp, _by_gate(xp, gates), c_prev, c, tanh_c, h)
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
    _lstm_cell_backward(xp, dh, dc_prev, c_prev, _by_gate(xp, gates), tanh_c, _by_gate(xp, da))
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


class LSTMCache(NamedTuple):
    """What lstm_backward needs, time-major, and the cell states also as a list over
    time (views of their array, no copy)."""

    xh: object  # (T, N, D + H): every step's input x_t next to the state it read, h_prev
    c0: object  # (N, H)
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    h: object  # (T, N, H): hidden state after every step
    c: object  # T arrays (N, H): cell state after every step
    gates: object  # (4, T, N, H): i, f, o, g after their activations, one gate per block


def _gate_major(xp, W):
    """The packed weights W (K, 4H) as four (K, H) matrices, one per gate: (4, K, H)."""
    K, H = W.shape[0], W.shape[1] // 4
    blocks = xp.permute_dims(xp.reshape(W, (K, 4, H)), (1, 0, 2))
    return xp.reshape(xp.reshape(blocks, (-1,)), (4, K, H))  # a copy, each block contiguous


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), and c0 (N, H),
    the initial cell state (zeros if not given).
    Returns ``(h, cache)`` with h (N, T, H). The cell states are in ``cache.c``, a
    list over time, so ``cache.c[-1]`` (N, H) carries the memory into a next chunk;
    the gates are in ``cache.gates`` (4, T, N, H), ``cache.gates[1]`` the forget gates.

    Every step computes what :func:`lstm_step_forward` does, arranged to do less work:
    ``x Wx + h_prev Wh`` is one product of ``[x, h_prev]`` (N, D + H) with the stacked
    weights ``[Wx; Wh]``, taken one gate at a time so that each gate's (N, H) block is
    contiguous for the cell's element-wise work, and ``tanh(c)`` is not kept (the
    backward pass recomputes it).
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
    W = _gate_major(xp, xp.concat([Wx, Wh], axis=0))  # (4, D + H, H): acts on [x, h_prev]
    b = xp.reshape(b, (4, 1, H))
    gates = xp.empty((4, T, N, H), dtype=dtype)
    h, c = (xp.empty((T, N, H), dtype=dtype) for _ in range(2))
    tanh_c = xp.empty((N, H), dtype=dtype)  # one step's, reused
    c_prev = c0
    for t in range(T):
        a = into(gates[:, t, ...], xp.matmul, xh[t, ...], W)  # (4, N, H): x Wx + h_prev Wh
        a += b
        _lstm_cell(xp, a, c_prev, c[t, ...], tanh_c, h[t, ...])
        if t + 1 < T:
            xh[t + 1, :, D:] = h[t, ...]  # the next step's h_prev
        c_prev = c[t, ...]
    cs = [c[t, ...] for t in range(T)]
    cache = LSTMCache(xh, c0, Wx, Wh, h, cs, gates)
    return xp.permute_dims(h, (1, 0, 2)), cache


def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's hidden state; the
    gradients through time (of h and of the cell state c) are added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, 4H),
    dWh (H, 4H), db (4H,). (The gradient of c0 is not returned.)
    """
    xh, c0, Wx, Wh, h, c, gates = cache
    T, N, H = h.shape
    D = xh.shape[2] - H
    xp, _ = check_inputs(dh=(dh, f"{N} {T} {H}"), c0=(c0, "N H"))
    dh_tm = xp.permute_dims(dh, (1, 0, 2))  # (T, N, H)
    WhT = transposed_copy(xp, Wh)  # (4H, H), used at every step
    da = xp.empty((T, N, 4 * H), dtype=h.dtype)  # packed, for the products after the loop
    da_t = xp.empty((4, N, H), dtype=h.dtype)  # one step's, one gate per block
    tanh_c = xp.empty((N, H), dtype=h.dtype)
    dh_t, dh_next, dc_next = (xp.zeros((N, H), dtype=h.dtype) for _ in range(3))
    for t in reversed(range(T)):
        c_prev = c[t - 1] if t > 0 else c0
        into(dh_t, xp.add, dh_tm[t, ...], dh_next)  # from the loss and from step t + 1
        into(tanh_c, xp.tanh, c[t])
        _lstm_cell_backward(xp, dh_t, dc_next, c_prev, gates[:, t, ...], tanh_c, da_t)
        _by_gate(xp, da[t, ...])[...] = da_t
        into(dh_next, xp.matmul, da[t, ...], WhT)
    da = xp.reshape(da, (T * N, 4 * H))
    dW = xp.reshape(xh, (T * N, D + H)).T @ da  # (D + H, 4H): dWx on dWh, summed over steps
    dx = xp.permute_dims(xp.reshape(da @ Wx.T, (T, N, D)), (1, 0, 2))
    db = xp.sum(da, axis=0)
    return dx, dh_next, dW[:D, :], dW[D:, :], db
