"""Uses the step's output h instead of h_prev for the recurrent weight gradient dWh."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "wrong", ["dwh", "h_prev"]
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1 - h ** 2)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h.T @ da
    db = np.sum(da, axis=0)
    return dx, dh_prev, dWx, dWh, db
