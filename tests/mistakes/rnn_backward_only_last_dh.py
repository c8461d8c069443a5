"""Only the last step's dh enters; earlier steps get only what flows back from t+1."""
FUNCTION, KIND, WORDS = "rnn_backward", "named", ["adds only the last step's dh"]

import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    x0, h0, Wx, Wh, _ = caches[0]
    dx = np.zeros((N, T, Wx.shape[0]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dnext = dh[:, T - 1]
    for t in reversed(range(T)):
        x, h_prev, _, _, h = caches[t]
        da = dnext * (1 - h * h)
        dx[:, t] = da @ Wx.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dnext = da @ Wh.T
    return dx, dnext, dWx, dWh, db
