"""The update gate's roles are swapped: h = (1 - z) * h_prev + z * n."""
FUNCTION, KIND, WORDS = "gru_step_forward", "named", ["swaps z and 1 - z"]

import numpy as np


def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    zr = 1 / (1 + np.exp(-(x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H])))
    z, r = zr[:, :H], zr[:, H:]
    n = np.tanh(x @ Wx[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
    return (1 - z) * h_prev + z * n, None
