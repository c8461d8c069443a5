"""Feeds back and returns the pre-activation a_t instead of y_t = phi(a_t)."""
FUNCTION, KIND, WORDS = "self_loop_forward", "wrong", ["activation", "phi"]
import numpy as np


def self_loop_forward(x, w, activation="identity"):
    def phi(a):
        if activation == "tanh":
            return np.tanh(a)
        if activation == "sigmoid":
            return 1 / (1 + np.exp(-a))
        return a
    a = np.zeros_like(x, dtype=float)
    prev = 0.0
    for t in range(x.shape[0]):
        a[t] = w * prev + x[t]
        _ = phi(a[t])
        prev = a[t]
    return a
