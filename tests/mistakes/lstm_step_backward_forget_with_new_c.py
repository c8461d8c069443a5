"""The forget gate's gradient uses the new cell state where c_prev belongs."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "localised", ["dc_prev is right", "Only the forget (f) gate block is wrong in dWx, dWh and db"]

import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    c = np.arctanh(np.clip(tanh_c, -1 + 1e-15, 1 - 1e-15))
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c * f * (1 - f), dh * tanh_c * o * (1 - o),
                    dct * i * (1 - g ** 2)])
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
