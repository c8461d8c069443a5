"""Scales correctly but returns the global norm after clipping instead of the norm before."""
FUNCTION, KIND, WORDS = "clip_grad_norm", "wrong", ["before"]
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = max_norm / total if total > max_norm else 1.0
    clipped = {k: g * scale for k, g in grads.items()}
    norm = np.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
    return clipped, float(norm)
