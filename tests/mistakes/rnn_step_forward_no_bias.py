"""The bias is forgotten."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "named", ["leaves out the bias b"]

import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh)
    return h, (x, h_prev, Wx, Wh, h)
