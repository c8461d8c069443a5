"""Forgets the sigmoid derivative o(1 - o) for the output gate only; i and f get theirs."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["output", "sigmoid"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = dh.shape[1]
    i = gates[:, 0:H]; f = gates[:, H:2 * H]; o = gates[:, 2 * H:3 * H]; g = gates[:, 3 * H:4 * H]
    dcell = dc + dh * o * (1 - tanh_c ** 2)
    da_i = dcell * g * i * (1 - i)
    da_f = dcell * c_prev * f * (1 - f)
    da_o = dh * tanh_c
    da_g = dcell * i * (1 - g * g)
    da = np.concatenate((da_i, da_f, da_o, da_g), axis=1)
    return (da @ Wx.T, da @ Wh.T, dcell * f, x.T @ da, h_prev.T @ da, da.sum(axis=0))
