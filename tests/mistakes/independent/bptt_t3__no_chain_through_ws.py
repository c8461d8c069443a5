"""Every older term uses the error at s3 directly: forgets to move g back through Ws (and the tanh) between steps."""
FUNCTION, KIND, WORDS = "bptt_t3", "wrong", ["ws", "chain"]
import numpy as np


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    s = [s0]
    for t in range(3):
        s.append(np.tanh(x[t] @ Wx + s[-1] @ Ws))
    y3 = s[3] @ Wy
    err = y3 - d3
    g3 = err @ Wy.T
    ws, wx = [], []
    for k in (3, 2, 1):
        delta = g3 * (1 - s[k] ** 2)
        ws.append(np.outer(s[k - 1], delta))
        wx.append(np.outer(x[k - 1], delta))
    return {"dWy": np.outer(s[3], err), "dWs": ws[0] + ws[1] + ws[2],
            "dWx": wx[0] + wx[1] + wx[2], "dWs_terms": ws, "dWx_terms": wx}
