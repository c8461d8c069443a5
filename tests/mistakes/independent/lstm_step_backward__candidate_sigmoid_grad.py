"""Treats all four gates alike and applies the sigmoid derivative g(1 - g) to the tanh candidate too."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["candidate", "tanh"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = dh.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dct = dc + dh * o * (1 - tanh_c ** 2)
    d_gates = np.concatenate([dct * g, dct * c_prev, dh * tanh_c, dct * i], axis=1)
    da = d_gates * gates * (1 - gates)      # "all gates are sigmoids"
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
