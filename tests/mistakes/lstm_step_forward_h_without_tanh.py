"""The new hidden state is o * c: the tanh of the cell is missing."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "named", ["outputs o * c"]

import numpy as np


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = (1 / (1 + np.exp(-a[:, k * H:(k + 1) * H])) for k in range(3))
    c = f * c_prev + i * np.tanh(a[:, 3 * H:])
    return o * c, c, None
