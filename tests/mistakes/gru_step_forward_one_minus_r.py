"""The reset gate is used as (1 - r) inside the candidate."""
FUNCTION, KIND, WORDS = "gru_step_forward", "generic", ["wrong values"]

import numpy as np


def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    zr = 1 / (1 + np.exp(-(x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H])))
    z, r = zr[:, :H], zr[:, H:]
    n = np.tanh(x @ Wx[:, 2 * H:] + ((1 - r) * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
    return z * h_prev + (1 - z) * n, None
