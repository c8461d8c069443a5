"""Never adds the gradient from step t+1: each step only sees dh[:, t], so nothing flows back through time."""
FUNCTION, KIND, WORDS = "rnn_backward", "wrong", ["dh_next"]
import numpy as np


def _step_back(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H)); dWh = np.zeros((H, H)); db = np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx_t, dh_prev, dWx_t, dWh_t, db_t = _step_back(dh[:, t, :], caches[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t; dWh += dWh_t; db += db_t
    return dx, dh_prev, dWx, dWh, db
