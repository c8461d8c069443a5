"""Leaves out the bias of the forget block."""
FUNCTION, KIND, WORDS = "forget_gate", "wrong", ["bias"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def forget_gate(x, h_prev, c_prev, Wx, Wh, b):
    H = c_prev.shape[1]
    cols = slice(H, 2 * H)
    f = sigmoid(x @ Wx[:, cols] + h_prev @ Wh[:, cols])
    return c_prev * f
