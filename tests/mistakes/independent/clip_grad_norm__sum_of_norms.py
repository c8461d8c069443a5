"""Adds up the arrays' norms (sum of ||g||) instead of taking the square root of the sum of squares."""
FUNCTION, KIND, WORDS = "clip_grad_norm", "wrong", ["norm", "square"]
import numpy as np


def clip_grad_norm(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads.values()))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: factor * g for k, g in grads.items()}, norm
