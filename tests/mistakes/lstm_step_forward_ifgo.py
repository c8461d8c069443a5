"""The gates are read in the order i, f, g, o (a common packing elsewhere)."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "named", ["packed i, f, g, o"]

import numpy as np


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    s = lambda v: 1 / (1 + np.exp(-v))
    i, f, g, o = s(a[:, :H]), s(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), s(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, None
