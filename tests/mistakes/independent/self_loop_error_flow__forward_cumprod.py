"""Vectorised with np.cumprod but in forward order, so entry t holds the product of the first factors, not those after t."""
FUNCTION, KIND, WORDS = "self_loop_error_flow", "wrong", ["reverse", "order"]
import numpy as np


def self_loop_error_flow(y, w, activation="identity"):
    if activation == "tanh":
        d = 1 - y ** 2
    elif activation == "sigmoid":
        d = y * (1 - y)
    else:
        d = np.ones_like(y)
    factors = w * d[1:]                       # factors for steps 1..T-1
    flow = np.ones(len(y))
    flow[:-1] = np.abs(np.cumprod(factors))   # should be the reversed cumulative product
    return flow
