"""Uses x[k] instead of x[k - 1] for the term through s_k (1-based formulas, 0-based arrays), wrapping x[3] to x[0]."""
FUNCTION, KIND, WORDS = "bptt_t3", "wrong", ["x", "index"]
import numpy as np


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    s = [s0]
    for t in range(3):
        s.append(np.tanh(x[t] @ Wx + s[t] @ Ws))
    y3 = s[3] @ Wy
    dWy = np.outer(s[3], y3 - d3)
    g = (y3 - d3) @ Wy.T
    ws, wx = [], []
    for k in [3, 2, 1]:
        delta = g * (1 - s[k] ** 2)
        ws.append(np.outer(s[k - 1], delta))
        wx.append(np.outer(x[k % 3], delta))
        g = delta @ Ws.T
    return {"dWy": dWy, "dWs": ws[0] + ws[1] + ws[2], "dWx": wx[0] + wx[1] + wx[2],
            "dWs_terms": ws, "dWx_terms": wx}
