"""The hidden state is read from the old cell: h = o * tanh(c_prev)."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "localised", ["h is wrong; c is right"]

import numpy as np


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = (1 / (1 + np.exp(-a[:, k * H:(k + 1) * H])) for k in range(3))
    c = f * c_prev + i * np.tanh(a[:, 3 * H:])
    return o * np.tanh(c_prev), c, None
