"""Correct: tanh written out through exp in a numerically stable form, einsum for the products."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "correct", []
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b
    e = np.exp(-2.0 * np.abs(a))
    h = np.sign(a) * (1.0 - e) / (1.0 + e)
    return h, (x, h_prev, Wx, Wh, h)
