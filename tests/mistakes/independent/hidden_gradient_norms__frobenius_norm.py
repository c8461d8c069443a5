"""Records the Frobenius norm (np.linalg.norm(M), the default) instead of the spectral norm np.linalg.norm(M, 2)."""
FUNCTION, KIND, WORDS = "hidden_gradient_norms", "wrong", ["spectral", "frobenius"]
import numpy as np


def hidden_gradient_norms(Wh, h, activation="tanh"):
    T, H = h.shape
    if activation == "tanh":
        dphi = 1.0 - h * h
    elif activation == "sigmoid":
        dphi = h * (1.0 - h)
    else:
        dphi = np.ones_like(h)
    norms = np.ones(T)
    product = np.eye(H)
    for t in range(T - 2, -1, -1):
        product = (Wh @ np.diag(dphi[t + 1])) @ product
        norms[t] = np.linalg.norm(product)
    return norms
