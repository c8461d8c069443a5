"""A correct step written with np.dot and the bias broadcast explicitly."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "correct", []

import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(h_prev, Wh) + b[np.newaxis, :]
    h = np.tanh(a)
    return h, (x, h_prev, Wx, Wh, h)
