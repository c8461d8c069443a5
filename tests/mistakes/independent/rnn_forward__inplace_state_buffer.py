"""Updates the state in place (state[:] = ...), which overwrites the caller's h0 and makes every cache share one h_prev array."""
FUNCTION, KIND, WORDS = "rnn_forward", "wrong", ["in place", "copy"]
import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    caches = []
    state = h0
    for t in range(T):
        new = np.tanh(x[:, t, :] @ Wx + state @ Wh + b)
        caches.append((x[:, t, :], state, Wx, Wh, new))
        state[:] = new          # "saves memory"
        h[:, t, :] = state
    return h, caches
