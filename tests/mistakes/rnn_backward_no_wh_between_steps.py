"""The gradient passed to step t-1 is da itself: the Wh.T of the recurrence is missing."""
FUNCTION, KIND, WORDS = "rnn_backward", "named", ["without Wh.T"]

import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    Wx, Wh = caches[0][2], caches[0][3]
    dx = np.zeros((N, T, Wx.shape[0]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, _, _, h = caches[t]
        da = (dh[:, t] + dnext) * (1 - h * h)
        dx[:, t] = da @ Wx.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dnext = da
    return dx, dnext, dWx, dWh, db
