"""A correct backward that walks a reversed copy of the cache list."""
FUNCTION, KIND, WORDS = "rnn_backward", "correct", []

import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    grads = {"dx": [], "dWx": 0, "dWh": 0, "db": 0}
    carry = np.zeros((N, H))
    for t, (x, h_prev, Wx, Wh, h) in zip(range(T - 1, -1, -1), caches[::-1]):
        da = (dh[:, t] + carry) * (1 - h ** 2)
        grads["dx"].insert(0, da @ Wx.T)
        grads["dWx"] = grads["dWx"] + x.T @ da
        grads["dWh"] = grads["dWh"] + h_prev.T @ da
        grads["db"] = grads["db"] + da.sum(0)
        carry = da @ Wh.T
    return np.stack(grads["dx"], 1), carry, grads["dWx"], grads["dWh"], grads["db"]
