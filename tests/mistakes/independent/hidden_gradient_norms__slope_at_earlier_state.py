"""Uses the slope at the earlier state dphi[t] instead of the later one dphi[t + 1]."""
FUNCTION, KIND, WORDS = "hidden_gradient_norms", "wrong", ["later", "dphi[t + 1]"]
import numpy as np


def hidden_gradient_norms(Wh, h, activation="tanh"):
    T, H = h.shape
    slope = {"tanh": lambda v: 1 - v ** 2, "sigmoid": lambda v: v * (1 - v),
             "identity": lambda v: np.ones_like(v)}[activation]
    dphi = slope(h)
    norms = np.ones(T)
    P = np.eye(H)
    for t in reversed(range(T - 1)):
        P = (Wh * dphi[t]) @ P
        norms[t] = np.linalg.norm(P, 2)
    return norms
