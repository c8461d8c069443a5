"""Builds the memory gradient from dh alone, dc_total = dh * o * (1 - tanh_c**2), dropping the dc that comes from the next step."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["dc"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = dh.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dct = dh * o * (1 - tanh_c ** 2)
    di = dct * g * i * (1 - i)
    df = dct * c_prev * f * (1 - f)
    do = dh * tanh_c * o * (1 - o)
    dg = dct * i * (1 - g ** 2)
    da = np.hstack([di, df, do, dg])
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
