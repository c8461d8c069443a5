"""Collects the terms walking back but returns them oldest-first (through s1, s2, s3) by inserting at the front."""
FUNCTION, KIND, WORDS = "bptt_t3", "wrong", ["order"]
import numpy as np


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    s = [s0]
    for t in range(3):
        s.append(np.tanh(x[t] @ Wx + s[-1] @ Ws))
    y3 = s[3] @ Wy
    err = y3 - d3
    dWy = np.outer(s[3], err)
    g = err @ Wy.T
    dWs_terms, dWx_terms = [], []
    for k in (3, 2, 1):
        delta = g * (1 - s[k] ** 2)
        dWs_terms.insert(0, np.outer(s[k - 1], delta))
        dWx_terms.insert(0, np.outer(x[k - 1], delta))
        g = delta @ Ws.T
    return {"dWy": dWy, "dWs": sum(dWs_terms), "dWx": sum(dWx_terms),
            "dWs_terms": dWs_terms, "dWx_terms": dWx_terms}
