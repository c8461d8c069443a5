"""Correct: weight gradients as sums of per-example outer products with einsum."""
FUNCTION, KIND, WORDS = "rnn_step_backward", "correct", []
import numpy as np


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1.0 - h) * (1.0 + h)
    dx = np.einsum("nh,dh->nd", da, Wx)
    dh_prev = np.einsum("nj,ij->ni", da, Wh)
    dWx = np.einsum("nd,nh->dh", x, da)
    dWh = np.einsum("ni,nj->ij", h_prev, da)
    db = np.einsum("nh->h", da)
    return dx, dh_prev, dWx, dWh, db
