"""Filters the cell state itself, o * c, instead of o * tanh(c)."""
FUNCTION, KIND, WORDS = "use_gate", "wrong", ["tanh"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def use_gate(x, h_prev, c, Wx, Wh, b):
    H = c.shape[1]
    o = sigmoid(x @ Wx[:, 2 * H:3 * H] + h_prev @ Wh[:, 2 * H:3 * H] + b[2 * H:3 * H])
    return o * c
