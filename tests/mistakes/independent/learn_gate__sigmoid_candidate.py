"""Squashes the information vector N_t with a sigmoid instead of tanh."""
FUNCTION, KIND, WORDS = "learn_gate", "wrong", ["tanh"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def learn_gate(x, h_prev, Wx, Wh, b):
    a_i, a_f, a_o, a_g = np.split(x @ Wx + h_prev @ Wh + b, 4, axis=1)
    return sigmoid(a_g) * sigmoid(a_i)
