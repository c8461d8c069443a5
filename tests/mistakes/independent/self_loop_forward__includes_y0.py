"""Returns y_0 = 0 as the first entry and drops the last output (the sequence is shifted by one step)."""
FUNCTION, KIND, WORDS = "self_loop_forward", "wrong", ["y_0", "step"]
import numpy as np


def self_loop_forward(x, w, activation="identity"):
    phi = np.tanh if activation == "tanh" else (
        (lambda a: 0.5 * (1 + np.tanh(0.5 * a))) if activation == "sigmoid" else (lambda a: a))
    ys = [0.0]
    for xt in x:
        ys.append(phi(w * ys[-1] + xt))
    return np.array(ys[:-1])
