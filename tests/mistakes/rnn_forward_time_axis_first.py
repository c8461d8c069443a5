"""The output is stacked time-major (T, N, H) instead of batch-first (N, T, H)."""
FUNCTION, KIND, WORDS = "rnn_forward", "named", ["has shape", "which axis is batch"]

import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    state, out = h0, []
    for t in range(x.shape[1]):
        state = np.tanh(x[:, t] @ Wx + state @ Wh + b)
        out.append(state)
    return np.array(out), []
