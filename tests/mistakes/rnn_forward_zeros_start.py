"""The loop starts from a fresh zero state instead of the h0 it was given."""
FUNCTION, KIND, WORDS = "rnn_forward", "named", ["starts the sequence from zeros"]

import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, Wh.shape[0]))
    state = np.zeros_like(h0)
    caches = []
    for t in range(T):
        prev = state
        state = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h[:, t] = state
        caches.append((x[:, t], prev, Wx, Wh, state))
    return h, caches
