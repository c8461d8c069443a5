"""Clips only from above (np.minimum(g, limit)): large negative entries are left alone."""
FUNCTION, KIND, WORDS = "clip_grad_value", "wrong", ["-limit", "negative"]
import numpy as np


def clip_grad_value(grads, limit):
    return {k: np.minimum(v, limit) for k, v in grads.items()}
