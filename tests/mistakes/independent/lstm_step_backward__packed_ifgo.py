"""Packs the pre-activation gradient in the order i, f, g, o (the habit from another course) instead of i, f, o, g."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["order", "pack"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    dct = dc + dh * o * (1 - tanh_c ** 2)
    di = dct * g * i * (1 - i)
    df = dct * c_prev * f * (1 - f)
    do = dh * tanh_c * o * (1 - o)
    dg = dct * i * (1 - g ** 2)
    da = np.hstack((di, df, dg, do))
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
