"""Reads the output gate from the last block (3H:, the candidate) instead of 2H:3H."""
FUNCTION, KIND, WORDS = "use_gate", "wrong", ["block", "output"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def use_gate(x, h_prev, c, Wx, Wh, b):
    H = c.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    o = sigmoid(a[:, -H:])
    return o * np.tanh(c)
