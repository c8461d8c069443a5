"""Passes the memory gradient to c_prev unscaled (dc_prev = dc_total), forgetting the forget gate's factor f."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["forget", "dc_prev"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    i, f, o, g = np.split(gates, 4, axis=1)
    dc_t = dc + dh * o * (1.0 - tanh_c ** 2)
    da = np.concatenate([dc_t * g * i * (1 - i),
                         dc_t * c_prev * f * (1 - f),
                         dh * tanh_c * o * (1 - o),
                         dc_t * i * (1 - g ** 2)], axis=1)
    dc_prev = dc_t
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
