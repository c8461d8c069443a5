"""Skips the tanh: uses dh directly as da instead of dh * (1 - h**2)."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["tanh"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dWx, dWh, db
