"""Forgot to add the bias b inside the tanh."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "wrong", ["bias"]
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh)
    return h, (x, h_prev, Wx, Wh, h)
