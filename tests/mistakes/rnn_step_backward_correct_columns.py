"""A correct backward ported from a column-vector text: everything transposed twice."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "correct", []

import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = (dh * (1 - h ** 2)).T  # (H, N), a column per example
    return (Wx @ da).T, (Wh @ da).T, (da @ x).T, (da @ h_prev).T, da.sum(axis=1)
