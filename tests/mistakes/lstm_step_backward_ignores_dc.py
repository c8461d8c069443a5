"""The upstream gradient of the cell state is dropped: only dh flows into c."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "named", ["ignore", "dc"]

import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    dct = dh * o * (1 - tanh_c ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dh * tanh_c * o * (1 - o),
                    dct * i * (1 - g ** 2)])
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
