"""Accumulates into the caller's dc in place (dc += dh * o * ...): the gradients are right and
only the upstream gradient dc is changed. The project's rule (the assignment text says it) lets
a backward pass overwrite its upstream gradients dh and dc, since no caller reads them again;
so this passes, with a note that names dc and says the in-place change is allowed."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "correct", ["in place", "dc", "allowed"]
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = dh.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dc += dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dh * tanh_c * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
