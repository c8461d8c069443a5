"""Multiplies with the weights in column-vector order: Wh @ h_prev.T style, transposing back; ends up using Wh.T."""
FUNCTION, KIND, WORDS = "rnn_step_forward", "wrong", ["transpose"]
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    # column-vector habit: a = Wx^T x + Wh h_prev + b, written per column
    a = (Wx.T @ x.T + Wh @ h_prev.T + b[:, None]).T
    h = np.tanh(a)
    return h, (x, h_prev, Wx, Wh, h)
