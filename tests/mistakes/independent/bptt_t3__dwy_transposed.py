"""Writes dWy as np.outer(err, s3), the transpose, then reshapes it to (H, K) to make the shape fit."""
FUNCTION, KIND, WORDS = "bptt_t3", "wrong", ["dwy", "transpose"]
import numpy as np


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    H, K = Wy.shape
    s = [s0]
    for t in range(3):
        s.append(np.tanh(x[t] @ Wx + s[-1] @ Ws))
    y3 = s[3] @ Wy
    err = y3 - d3
    dWy = np.outer(err, s[3]).reshape(H, K)
    g = err @ Wy.T
    ws, wx = [], []
    for k in (3, 2, 1):
        delta = g * (1 - s[k] ** 2)
        ws.append(np.outer(s[k - 1], delta))
        wx.append(np.outer(x[k - 1], delta))
        g = delta @ Ws.T
    return {"dWy": dWy, "dWs": ws[0] + ws[1] + ws[2], "dWx": wx[0] + wx[1] + wx[2],
            "dWs_terms": ws, "dWx_terms": wx}
