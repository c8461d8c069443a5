"""Computes h and tanh_c from the old cell state c_prev instead of the new c."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "wrong", ["c_prev", "new c"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c_prev)
    h = o * tanh_c
    gates = np.concatenate([i, f, o, g], axis=1)
    return h, c, (x, h_prev, c_prev, Wx, Wh, gates, tanh_c)
