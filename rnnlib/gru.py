"""The GRU layer: one step, and a whole sequence.

Weights are packed in the order **z, r, n**: Wx (D, 3H), Wh (H, 3H), b (3H,)::

    z = sigmoid(x Wxz + h_prev Whz + bz)           update gate
    r = sigmoid(x Wxr + h_prev Whr + br)           reset gate
    n = tanh(x Wxn + (r * h_prev) Whn + bn)        candidate state
    h = z * h_prev + (1 - z) * n

This is the form of Cho et al. (2014): the reset gate scales h_prev *before* the
matrix product. cuDNN and PyTorch's ``nn.GRU`` apply it *after* the product and keep
a second bias there, ``n = tanh(x Wxn + bxn + r * (h_prev Whn + bhn))``; the two cells
are equally expressive in practice but not the same function, so their weights do
not carry over. Both keep z on the old state, as here.
"""

from __future__ import annotations

from typing import NamedTuple

from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .backend import transposed_copy
from .validate import check_inputs


class GRUStepCache(NamedTuple):
    x: object  # (N, D)
    h_prev: object  # (N, H)
    Wx: object  # (D, 3H)
    Wh: object  # (H, 3H)
    zr: object  # (N, 2H): z and r after the sigmoid
    n: object  # (N, H)


def _gru_cell(xp, xw, h_prev, Wh):
    """New state from the input projection xw = x Wx + b (N, 3H) and h_prev (N, H)."""
    H = h_prev.shape[1]
    zr = sigmoid(xw[:, : 2 * H] + h_prev @ Wh[:, : 2 * H])  # (N, 2H)
    z, r = zr[:, :H], zr[:, H:]
    n = xp.tanh(xw[:, 2 * H :] + (r * h_prev) @ Wh[:, 2 * H :])
    h = z * h_prev + (1.0 - z) * n
    return h, zr, n


def _gru_cell_backward(xp, dh, h_prev, WhT, zr, n):
    """Gradients of the packed pre-activation (N, 3H) and of h_prev (N, H).

    WhT is Wh transposed, (3H, H).
    """
    H = h_prev.shape[1]
    z, r = zr[:, :H], zr[:, H:]
    dn_pre = dh * (1.0 - z) * tanh_grad_from_output(n)  # through tanh: 1 - n**2
    d_rh = dn_pre @ WhT[2 * H :, :]  # gradient of r * h_prev
    dzr = xp.concat([dh * (h_prev - n), d_rh * h_prev], axis=1)  # dz, dr
    dzr_pre = dzr * sigmoid_grad_from_output(zr)  # through sigmoid: s(1 - s)
    dh_prev = dh * z + d_rh * r + dzr_pre @ WhT[: 2 * H, :]
    return xp.concat([dzr_pre, dn_pre], axis=1), dh_prev


def _gru_dWh(xp, h_prev, r, da, H):
    """dWh (H, 3H) from the rows of h_prev and r (M, H) and da (M, 3H)."""
    return xp.concat([h_prev.T @ da[:, : 2 * H], (r * h_prev).T @ da[:, 2 * H :]], axis=1)


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One GRU step (Cho et al. 2014 form, see the module docstring).

    Inputs: x (N, D), h_prev (N, H), Wx (D, 3H), Wh (H, 3H), b (3H,), with the 3H
    columns in the order z, r, n.
    Returns ``(h, cache)`` with h (N, H).
    """
    xp, _ = check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"), Wx=(Wx, "D 3H"),
                         Wh=(Wh, "H 3H"), b=(b, "3H"))
    h, zr, n = _gru_cell(xp, x @ Wx + b, h_prev, Wh)
    return h, GRUStepCache(x, h_prev, Wx, Wh, zr, n)


def gru_step_backward(dh, cache):
    """Backward of :func:`gru_step_forward`.

    Inputs: dh (N, H), the upstream gradient of h; the cache.
    Returns ``(dx, dh_prev, dWx, dWh, db)`` with the shapes of x, h_prev, Wx, Wh, b.
    """
    x, h_prev, Wx, Wh, zr, n = cache
    xp, dims = check_inputs(h_prev=(h_prev, "N H"), dh=(dh, "N H"))
    H = dims["H"]
    da, dh_prev = _gru_cell_backward(xp, dh, h_prev, Wh.T, zr, n)  # (N, 3H), (N, H)
    dx = da @ Wx.T
    dWx = x.T @ da
    dWh = _gru_dWh(xp, h_prev, zr[:, H:], da, H)
    db = xp.sum(da, axis=0)
    return dx, dh_prev, dWx, dWh, db


class GRUCache(NamedTuple):
    """What gru_backward needs; per-step arrays are time-major, (T, N, .)."""

    x: object  # (T*N, D): the inputs, time-major and flattened
    h0: object  # (N, H)
    Wx: object  # (D, 3H)
    Wh: object  # (H, 3H)
    h: object  # (T, N, H)
    zr: object  # (T, N, 2H)
    n: object  # (T, N, H)


def gru_forward(x, h0, Wx, Wh, b):
    """Run a GRU over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, 3H), Wh (H, 3H), b (3H,).
    Returns ``(h, cache)`` with h (N, T, H). The loop is :func:`gru_step_forward`'s,
    with the input projection ``x Wx + b`` of all T steps done first as one matrix
    product: only the products with Wh are sequential.
    """
    xp, dims = check_inputs(x=(x, "N T D"), h0=(h0, "N H"), Wx=(Wx, "D 3H"),
                            Wh=(Wh, "H 3H"), b=(b, "3H"))
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    x_tm = xp.reshape(xp.permute_dims(x, (1, 0, 2)), (T * N, D))  # time-major rows
    xw = xp.reshape(x_tm @ Wx + b, (T, N, 3 * H))  # all steps at once
    hs, ns = xp.empty((T, N, H), dtype=xw.dtype), xp.empty((T, N, H), dtype=xw.dtype)
    zrs = xp.empty((T, N, 2 * H), dtype=xw.dtype)
    h = h0
    for t in range(T):
        h, zrs[t, ...], ns[t, ...] = _gru_cell(xp, xw[t, ...], h, Wh)
        hs[t, ...] = h
    return xp.permute_dims(hs, (1, 0, 2)), GRUCache(x_tm, h0, Wx, Wh, hs, zrs, ns)


def gru_backward(dh, cache):
    """Backpropagation through time for :func:`gru_forward`.

    Inputs: dh (N, T, H), the upstream gradient of every step's hidden state; the
    gradient through time is added inside.
    Returns ``(dx, dh0, dWx, dWh, db)``: dx (N, T, D), dh0 (N, H), dWx (D, 3H),
    dWh (H, 3H), db (3H,).
    """
    x_tm, h0, Wx, Wh, h, zr, n = cache
    T, N, H = h.shape
    xp, _ = check_inputs(dh=(dh, f"{N} {T} {H}"), h0=(h0, "N H"))
    dh_tm = xp.permute_dims(dh, (1, 0, 2))  # (T, N, H)
    h_prev = xp.concat([h0[None, ...], h[:-1, ...]], axis=0)  # (T, N, H)
    da = xp.empty((T, N, 3 * H), dtype=h.dtype)
    WhT = transposed_copy(xp, Wh)  # (3H, H), used at every step
    dh_next = xp.zeros_like(h0)
    for t in reversed(range(T)):
        da[t, ...], dh_next = _gru_cell_backward(
            xp, dh_tm[t, ...] + dh_next, h_prev[t, ...], WhT, zr[t, ...], n[t, ...]
        )
    da = xp.reshape(da, (T * N, 3 * H))
    flat = lambda a: xp.reshape(a, (T * N, H))  # noqa: E731
    dx = xp.permute_dims(xp.reshape(da @ Wx.T, (T, N, -1)), (1, 0, 2))
    dWx = x_tm.T @ da
    dWh = _gru_dWh(xp, flat(h_prev), flat(zr[:, :, H:]), da, H)
    db = xp.sum(da, axis=0)
    return dx, dh_next, dWx, dWh, db
