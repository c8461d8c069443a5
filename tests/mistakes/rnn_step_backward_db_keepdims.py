"""The bias gradient keeps the summed axis: shape (1, H) instead of (H,)."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "named", ["has shape (1, 5), expected (5,)"]

import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h * h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, np.sum(da, axis=0, keepdims=True)
