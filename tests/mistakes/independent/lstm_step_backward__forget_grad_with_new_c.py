"""Uses the new cell state c (recovered as arctanh(tanh_c)) instead of c_prev in the forget gate's gradient."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "wrong", ["forget", "c_prev"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = dh.shape[1]
    i, f, o, g = (gates[:, k * H:(k + 1) * H] for k in range(4))
    c = np.arctanh(tanh_c)
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.zeros_like(gates)
    da[:, :H] = dct * g * i * (1 - i)
    da[:, H:2 * H] = dct * c * f * (1 - f)
    da[:, 2 * H:3 * H] = dh * tanh_c * o * (1 - o)
    da[:, 3 * H:] = dct * i * (1 - g ** 2)
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
