"""Applies the tanh derivative formula to tanh(h) as if h were the pre-activation: 1 - tanh(h)**2."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["tanh", "1 - h**2"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - np.tanh(h) ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
