"""Sums the bias gradient over the hidden axis (axis=1) instead of the batch, then tiles it to shape (H,)."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["db", "axis"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h * h)
    dx = da.dot(Wx.T)
    dh_prev = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = h_prev.T.dot(da)
    H = h.shape[1]
    db = np.resize(np.sum(da, axis=1), (H,))
    return dx, dh_prev, dWx, dWh, db
