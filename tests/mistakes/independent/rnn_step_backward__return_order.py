"""Computes every gradient right but returns them as (dx, dWx, dh_prev, dWh, db): wrong order."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["order"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dWx, dh_prev, dWh, db
