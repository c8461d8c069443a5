"""Clips with np.clip(..., out=g), changing the caller's arrays in place (the returned values are right)."""
FUNCTION, KIND, WORDS = "clip_grad_value", "wrong", ["in place", "copy"]
import numpy as np


def clip_grad_value(grads, limit):
    clipped = {}
    for name, g in grads.items():
        np.clip(g, -limit, limit, out=g)
        clipped[name] = g
    return clipped
