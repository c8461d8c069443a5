"""Uses only the incoming dc for the i, f, g gradients and dc_prev: the path from dh through tanh(c) into the memory is missing."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["dh", "tanh(c)"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    di = dc * g
    df = dc * c_prev
    do = dh * tanh_c
    dg = dc * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
