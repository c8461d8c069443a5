"""Multiplies the new Jacobian on the right (product = product @ J) instead of the left."""
FUNCTION, KIND, WORDS = "hidden_gradient_norms", "wrong", ["left", "order"]
import numpy as np


def hidden_gradient_norms(Wh, h, activation="tanh"):
    T, H = h.shape
    if activation == "tanh":
        dphi = 1 - h ** 2
    elif activation == "sigmoid":
        dphi = h * (1 - h)
    else:
        dphi = np.ones_like(h)
    norms = np.ones(T)
    product = np.eye(H)
    for t in range(T - 2, -1, -1):
        J = Wh @ np.diag(dphi[t + 1])
        product = product @ J
        norms[t] = np.linalg.norm(product, 2)
    return norms
