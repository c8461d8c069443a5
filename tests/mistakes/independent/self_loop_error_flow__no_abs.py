"""Stores the signed running product: with negative w the flow alternates in sign (no absolute value)."""
FUNCTION, KIND, WORDS = "self_loop_error_flow", "wrong", ["absolute"]
import numpy as np


def self_loop_error_flow(y, w, activation="identity"):
    dphi = {"identity": np.ones_like(y), "tanh": 1 - y * y, "sigmoid": y * (1 - y)}[activation]
    flow = np.ones_like(y, dtype=float)
    running = 1.0
    for t in reversed(range(len(y) - 1)):
        running = running * w * dphi[t + 1]
        flow[t] = running
    return flow
