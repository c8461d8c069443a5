"""Walks the steps forwards (t = 0..T-1) while threading dh_next, so the gradient flows the wrong way in time."""
FUNCTION, KIND, WORDS = "rnn_backward", "wrong", ["reverse", "backwards"]
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H)); dWh = np.zeros((H, H)); db = np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in range(T):
        x, h_prev, Wx, Wh, h = caches[t]
        da = (dh[:, t, :] + dh_next) * (1 - h ** 2)
        dx[:, t, :] = da @ Wx.T
        dh_next = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dh_next, dWx, dWh, db
