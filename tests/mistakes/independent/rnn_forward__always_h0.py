"""Passes h0 to every step instead of the previous step's state, so nothing is carried over time."""
FUNCTION, KIND, WORDS = "rnn_forward", "wrong", ["h_prev", "previous"]
import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    hs, caches = [], []
    for t in range(T):
        h = np.tanh(x[:, t, :] @ Wx + h0 @ Wh + b)
        hs.append(h)
        caches.append((x[:, t, :], h0, Wx, Wh, h))
    return np.stack(hs, axis=1), caches
