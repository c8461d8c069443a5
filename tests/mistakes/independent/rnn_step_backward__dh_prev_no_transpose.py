"""Passes the gradient to h_prev through Wh instead of Wh.T (da @ Wh)."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["transpose", "dh_prev"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1.0 - np.square(h))
    dx = da @ Wx.T
    dh_prev = da @ Wh
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(0)
    return dx, dh_prev, dWx, dWh, db
