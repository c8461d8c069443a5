"""Clips each array by its own norm instead of the global norm, and returns the largest single norm."""
FUNCTION, KIND, WORDS = "clip_grad_norm", "wrong", ["global"]
import numpy as np


def clip_grad_norm(grads, max_norm):
    out, biggest = {}, 0.0
    for k, g in grads.items():
        n = float(np.linalg.norm(g))
        biggest = max(biggest, n)
        out[k] = g * (max_norm / n) if n > max_norm else g.copy()
    return out, biggest
