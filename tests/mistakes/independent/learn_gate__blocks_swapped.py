"""Reads the candidate from the first block and the input gate from the last (i and g blocks mixed up)."""
FUNCTION, KIND, WORDS = "learn_gate", "wrong", ["block", "columns"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def learn_gate(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    N_t = np.tanh(a[:, :H])
    i_t = sigmoid(a[:, 3 * H:])
    return N_t * i_t
