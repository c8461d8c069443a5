"""Assigns dWx, dWh, db at each step instead of adding them up, so only step 0's contribution survives."""
FUNCTION, KIND, WORDS = "rnn_backward", "wrong", ["accumulate", "sum"]
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        x, h_prev, Wx, Wh, h = caches[t]
        da = (dh[:, t, :] + dh_next) * (1 - h ** 2)
        dx[:, t, :] = da @ Wx.T
        dh_next = da @ Wh.T
        dWx = x.T @ da
        dWh = h_prev.T @ da
        db = da.sum(axis=0)
    return dx, dh_next, dWx, dWh, db
