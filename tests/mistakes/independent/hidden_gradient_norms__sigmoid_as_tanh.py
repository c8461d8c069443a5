"""Only handles tanh and identity: any other activation (sigmoid) silently gets the tanh slope 1 - h**2."""
FUNCTION, KIND, WORDS = "hidden_gradient_norms", "wrong", ["sigmoid"]
import numpy as np


def hidden_gradient_norms(Wh, h, activation="tanh"):
    T, H = h.shape
    dphi = np.ones_like(h) if activation == "identity" else 1 - h ** 2
    norms = [1.0] * T
    product = np.eye(H)
    for t in range(T - 2, -1, -1):
        product = Wh @ np.diag(dphi[t + 1]) @ product
        norms[t] = np.linalg.norm(product, 2)
    return np.array(norms)
