"""Correct: projects all inputs first (time-major buffer), then runs the recurrence, building the step caches by hand."""
FUNCTION, KIND, WORDS = "rnn_forward", "correct", []
import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    xw = np.einsum("ntd,dh->tnh", x, Wx) + b
    out = np.empty((T, N, H), dtype=np.result_type(x, h0, Wx, Wh, b))
    caches = []
    prev = h0
    for t in range(T):
        out[t] = np.tanh(xw[t] + prev @ Wh)
        caches.append((x[:, t, :], prev, Wx, Wh, out[t]))
        prev = out[t]
    return out.transpose(1, 0, 2), caches
