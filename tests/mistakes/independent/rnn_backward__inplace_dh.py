"""Adds dh_next into the caller's dh in place (dh[:, t] += dh_next): the gradients are right and
only the upstream gradient dh is changed. The project's rule (the assignment text says it) lets
a backward pass overwrite its upstream gradient dh, since no caller reads it again; so this
passes, with a note that names dh and says the in-place change is allowed."""
FUNCTION, KIND, WORDS = "rnn_backward", "correct", ["in place", "dh", "allowed"]
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H)); dWh = np.zeros((H, H)); db = np.zeros((H,))
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, Wx, Wh, h = caches[t]
        dh[:, t, :] += dh_next
        da = dh[:, t, :] * (1 - h ** 2)
        dx[:, t, :] = da @ Wx.T
        dh_next = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dh_next, dWx, dWh, db
