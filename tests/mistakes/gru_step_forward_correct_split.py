"""A correct step that splits the packed weights with np.split first, and returns the
cache in the assignment's layout (x, h_prev, Wx, Wh, zr, n)."""
FUNCTION, KIND, WORDS = "gru_step_forward", "correct", []

import numpy as np


def gru_step_forward(x, h_prev, Wx, Wh, b):
    Wxz, Wxr, Wxn = np.split(Wx, 3, axis=1)
    Whz, Whr, Whn = np.split(Wh, 3, axis=1)
    bz, br, bn = np.split(b, 3)
    z = 1 / (1 + np.exp(-(x @ Wxz + h_prev @ Whz + bz)))
    r = 1 / (1 + np.exp(-(x @ Wxr + h_prev @ Whr + br)))
    n = np.tanh(x @ Wxn + (r * h_prev) @ Whn + bn)
    return z * h_prev + (1 - z) * n, (x, h_prev, Wx, Wh, np.concatenate([z, r], axis=1), n)
