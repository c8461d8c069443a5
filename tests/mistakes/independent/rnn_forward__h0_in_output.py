"""Stores the state before each step (starting with h0) instead of the state after reading x[:, t]: off by one step."""
FUNCTION, KIND, WORDS = "rnn_forward", "wrong", ["step"]
import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    caches = []
    state = h0
    for t in range(T):
        h[:, t, :] = state
        state = np.tanh(x[:, t, :] @ Wx + state @ Wh + b)
        caches.append((x[:, t, :], h[:, t, :], Wx, Wh, state))
    return h, caches
