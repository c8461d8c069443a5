"""tanh' applied to h, which is already tanh(a)."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "named", ["takes tanh of h again"]

import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - np.tanh(h) ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
