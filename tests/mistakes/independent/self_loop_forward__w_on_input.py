"""Puts w on the input instead of the fed-back output: y_t = phi(y_{t-1} + w * x_t)."""
FUNCTION, KIND, WORDS = "self_loop_forward", "wrong", ["w", "input"]
import numpy as np


def self_loop_forward(x, w, activation="identity"):
    phi = {"identity": lambda a: a, "tanh": np.tanh,
           "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a))}[activation]
    y = np.zeros(len(x))
    prev = 0.0
    for t in range(len(x)):
        prev = phi(prev + w * x[t])
        y[t] = prev
    return y
