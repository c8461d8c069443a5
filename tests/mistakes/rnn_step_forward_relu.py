"""A ReLU where the simple RNN uses tanh (no named mistake covers it)."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "generic", ["wrong values"]

import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.maximum(0, x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)
