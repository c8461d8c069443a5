"""Every step reads h0 instead of the previous step's state."""
FUNCTION, KIND, WORDS = "rnn_forward", "named", ["starts every step from h0"]

import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    steps = [np.tanh(x[:, t] @ Wx + h0 @ Wh + b) for t in range(x.shape[1])]
    return np.stack(steps, axis=1), []
