"""Takes the forget factor from the first block (columns :H, the input gate) instead of H:2H."""
FUNCTION, KIND, WORDS = "forget_gate", "wrong", ["block", "h:2h"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def forget_gate(x, h_prev, c_prev, Wx, Wh, b):
    H = c_prev.shape[1]
    f = sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    return c_prev * f
