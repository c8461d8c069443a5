"""Correct: the three steps written out by hand with named variables, no loop, broadcasting for the outer products."""
FUNCTION, KIND, WORDS = "bptt_t3", "correct", []
import numpy as np


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    x1, x2, x3 = x[0], x[1], x[2]
    s1 = np.tanh(x1 @ Wx + s0 @ Ws)
    s2 = np.tanh(x2 @ Wx + s1 @ Ws)
    s3 = np.tanh(x3 @ Wx + s2 @ Ws)
    y3 = s3 @ Wy
    e = y3 - d3
    d_3 = (e @ Wy.T) * (1 - s3 * s3)
    d_2 = (d_3 @ Ws.T) * (1 - s2 * s2)
    d_1 = (d_2 @ Ws.T) * (1 - s1 * s1)
    ws = [s2[:, None] * d_3[None, :], s1[:, None] * d_2[None, :], s0[:, None] * d_1[None, :]]
    wx = [x3[:, None] * d_3[None, :], x2[:, None] * d_2[None, :], x1[:, None] * d_1[None, :]]
    return {"dWy": s3[:, None] * e[None, :], "dWs": ws[0] + ws[1] + ws[2],
            "dWx": wx[0] + wx[1] + wx[2], "dWs_terms": ws, "dWx_terms": wx,
            "E3": float(0.5 * e @ e), "y3": y3, "s": np.stack([s0, s1, s2, s3])}
