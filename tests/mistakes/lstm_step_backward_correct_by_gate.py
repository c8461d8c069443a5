"""A correct backward that keeps four gate gradients apart and packs them at the end."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "correct", []

import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = h_prev.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dc_total = dc + dh * o * (1 - tanh_c * tanh_c)
    di = dc_total * g * i * (1 - i)
    df = dc_total * c_prev * f * (1 - f)
    do = dh * tanh_c * o * (1 - o)
    dg = dc_total * i * (1 - g * g)
    da = np.concatenate([di, df, do, dg], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_total * f, x.T @ da, h_prev.T @ da, np.sum(da, axis=0)
