"""Loops range(T - 1, 0, -1), so step 0 is never backpropagated (dh0 and the weights miss the first step)."""
FUNCTION, KIND, WORDS = "rnn_backward", "wrong", ["step", "first"]
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    x0, _, Wx, Wh, _ = caches[0]
    D = x0.shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in range(T - 1, 0, -1):
        x, h_prev, Wx, Wh, h = caches[t]
        da = (dh[:, t] + dh_next) * (1 - h ** 2)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dh_next, dWx, dWh, db
