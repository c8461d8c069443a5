"""Writes the derivative of tanh(c) as (1 - tanh_c) instead of (1 - tanh_c**2)."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["tanh"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    dc_total = dc + dh * o * (1 - tanh_c)
    di = dc_total * g
    df = dc_total * c_prev
    do = dh * tanh_c
    dg = dc_total * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)], axis=1)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dc_prev = dc_total * f
    return dx, dh_prev, dc_prev, x.T @ da, h_prev.T @ da, np.sum(da, axis=0)
