"""Stores the pre-activation a instead of h = tanh(a) as the last entry of the cache."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "wrong", ["cache"]
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
    h = np.tanh(a)
    cache = (x, h_prev, Wx, Wh, a)
    return h, cache
