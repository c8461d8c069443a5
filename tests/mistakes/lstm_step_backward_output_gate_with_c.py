"""The output gate's gradient uses c where tanh(c) belongs."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "localised", ["dc_prev is right", "Only the output (o) gate block is wrong"]

import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    c = f * c_prev + i * g
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dh * c * o * (1 - o),
                    dct * i * (1 - g ** 2)])
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
