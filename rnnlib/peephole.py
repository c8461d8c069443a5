"""The peephole LSTM step of Gers and Schmidhuber (2000): gates that see the cell.

The step of :mod:`rnnlib.lstm` with one change: each unit's input, forget and output
gate also reads its own cell state through a peephole weight, elementwise. With the
packed pre-activation ``a = x Wx + h_prev Wh + b`` (N, 4H), columns **i, f, o, g**, and
the peephole weights ``p`` (3, H), rows **i, f, o**::

    i = sigmoid(a_i + c_prev * p_i)   the input gate sees the old cell
    f = sigmoid(a_f + c_prev * p_f)   the forget gate sees the old cell
    g = tanh(a_g)
    c = f * c_prev + i * g
    o = sigmoid(a_o + c * p_o)        the output gate sees the NEW cell
    h = o * tanh(c)

With ``p = 0`` this is :func:`rnnlib.lstm_step_forward`. The cache keeps the gates
packed as one (N, 4H) array ``gates = [i, f, o, g]``, as the LSTM's does.
"""

from __future__ import annotations

from typing import NamedTuple

from .activations import sigmoid, sigmoid_grad_from_output
from .lstm import _by_gate, _lstm_cell_backward
from .validate import check_inputs


class PeepholeStepCache(NamedTuple):
    x: object  # (N, D)
    h_prev: object  # (N, H)
    c_prev: object  # (N, H)
    c: object  # (N, H): the new cell state, which the output gate saw
    Wx: object  # (D, 4H)
    Wh: object  # (H, 4H)
    p: object  # (3, H): peephole weights of i, f, o
    gates: object  # (N, 4H): i, f, o, g after their activations
    tanh_c: object  # (N, H)


def lstm_peephole_step_forward(x, h_prev, c_prev, Wx, Wh, b, p):
    """One LSTM step with peephole connections.

    Inputs: x (N, D), h_prev (N, H), c_prev (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,),
    with the 4H columns in the order i, f, o, g, and p (3, H), the peephole weights of
    the input, forget and output gates (rows i, f, o).
    Returns ``(h, c, cache)`` with h (N, H) and c (N, H).
    """
    xp, dims = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), c_prev=(c_prev, "N H"),
                            Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"), p=(p, "3 H"))
    H = dims["H"]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    i = sigmoid(a[:, :H] + c_prev * p[0, :])  # (N, H)
    f = sigmoid(a[:, H : 2 * H] + c_prev * p[1, :])
    g = xp.tanh(a[:, 3 * H :])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 2 * H : 3 * H] + c * p[2, :])  # after the update: it sees c, not c_prev
    tanh_c = xp.tanh(c)
    gates = xp.concat([i, f, o, g], axis=1)  # (N, 4H)
    return o * tanh_c, c, PeepholeStepCache(x, h_prev, c_prev, c, Wx, Wh, p, gates, tanh_c)


def lstm_peephole_step_backward(dh, dc, cache):
    """Backward of :func:`lstm_peephole_step_forward`.

    Inputs: dh (N, H) and dc (N, H), the upstream gradients of h and c; the cache.
    Returns ``(dx, dh_prev, dc_prev, dWx, dWh, db, dp)`` with the shapes of x, h_prev,
    c_prev, Wx, Wh, b and p (3, H).
    """
    x, h_prev, c_prev, c, Wx, Wh, p, gates, tanh_c = cache
    xp, dims = check_inputs(c_prev=(c_prev, "N H"), dh=(dh, "N H"), dc=(dc, "N H"))
    H = dims["H"]
    o = gates[:, 2 * H : 3 * H]
    da_o = dh * tanh_c * sigmoid_grad_from_output(o)  # h = o tanh(c), o = s(.): s(1 - s)
    dc_total = dc + da_o * p[2, :]  # the output peephole: c reaches o with weight p_o
    # the LSTM's cell backward, in place: the h -> c term, the gates' gradients into da,
    # and dc_total becomes the gradient of c_prev along the path c_prev -> c via f
    da = xp.empty(gates.shape, dtype=xp.result_type(dc_total, gates, c_prev))  # (N, 4H)
    _lstm_cell_backward(xp, dh, dc_total, c_prev, _by_gate(xp, gates), tanh_c, _by_gate(xp, da))
    da_i, da_f = da[:, :H], da[:, H : 2 * H]
    dc_prev = dc_total + da_i * p[0, :] + da_f * p[1, :]  # c_prev reaches i and f through p_i, p_f
    dp = xp.stack([xp.sum(da_i * c_prev, axis=0), xp.sum(da_f * c_prev, axis=0),
                   xp.sum(da[:, 2 * H : 3 * H] * c, axis=0)], axis=0)  # (3, H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db, dp
