"""The sigmoid's slope is evaluated at the gate's output: sigmoid'(sigmoid(a))."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "named", ["slope at the gate's output"]

import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = h_prev.shape[1]
    i, f, o, g = np.split(gates, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))
    dsig = lambda v: sig(v) * (1 - sig(v))
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.hstack([dct * g * dsig(i), dct * c_prev * dsig(f), dh * tanh_c * dsig(o), dct * i * (1 - g ** 2)])
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
