"""Multiplies by w * dphi[t] (the earlier step's slope) instead of w * dphi[t + 1]."""
FUNCTION, KIND, WORDS = "self_loop_error_flow", "wrong", ["later", "dphi[t + 1]"]
import numpy as np


def self_loop_error_flow(y, w, activation="identity"):
    if activation == "tanh":
        dphi = 1 - y ** 2
    elif activation == "sigmoid":
        dphi = y * (1 - y)
    else:
        dphi = np.ones_like(y)
    T = len(y)
    flow = np.ones(T)
    run = 1.0
    for t in range(T - 2, -1, -1):
        run *= w * dphi[t]
        flow[t] = abs(run)
    return flow
