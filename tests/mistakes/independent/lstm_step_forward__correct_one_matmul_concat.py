"""Correct: stacks [x, h_prev] and [Wx; Wh] into one matrix product, sigmoid via exp written stably."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "correct", []
import numpy as np


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = np.hstack([x, h_prev]) @ np.vstack([Wx, Wh]) + b
    s = a[:, :3 * H]
    e = np.exp(-np.abs(s))
    ifo = np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    g = np.tanh(a[:, 3 * H:])
    i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    gates = np.concatenate([ifo, g], axis=1)
    return h, c, (x, h_prev, c_prev, Wx, Wh, gates, tanh_c)
