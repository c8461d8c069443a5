"""Allocates the gradient buffers as float32 (np.zeros(..., dtype=np.float32)), losing precision and returning the wrong dtype."""
FUNCTION, KIND, WORDS = "rnn_backward", "wrong", ["dtype", "float32"]
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=np.float32)
    dWx = np.zeros((D, H), dtype=np.float32)
    dWh = np.zeros((H, H), dtype=np.float32)
    db = np.zeros(H, dtype=np.float32)
    dh_next = np.zeros((N, H), dtype=np.float32)
    for t in reversed(range(T)):
        x, h_prev, Wx, Wh, h = caches[t]
        da = ((dh[:, t, :] + dh_next) * (1 - h ** 2)).astype(np.float32)
        dx[:, t, :] = da @ Wx.T
        dh_next = (da @ Wh.T).astype(np.float32)
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dh_next, dWx, dWh, db
