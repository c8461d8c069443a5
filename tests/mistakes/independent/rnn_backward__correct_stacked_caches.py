"""Correct: runs the recurrence for da step by step, then forms all weight gradients at once from stacked caches."""
FUNCTION, KIND, WORDS = "rnn_backward", "correct", []
import numpy as np


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    xs = np.stack([c[0] for c in caches])        # (T, N, D)
    hps = np.stack([c[1] for c in caches])       # (T, N, H)
    hs = np.stack([c[4] for c in caches])        # (T, N, H)
    Wx, Wh = caches[0][2], caches[0][3]
    da = np.empty_like(hs)
    carry = np.zeros((N, H), dtype=hs.dtype)
    for t in range(T - 1, -1, -1):
        da[t] = (dh[:, t, :] + carry) * (1.0 - hs[t] ** 2)
        carry = da[t] @ Wh.T
    dx = np.einsum("tnh,dh->ntd", da, Wx)
    dWx = np.einsum("tnd,tnh->dh", xs, da)
    dWh = np.einsum("tni,tnj->ij", hps, da)
    db = da.sum(axis=(0, 1))
    return dx, carry, dWx, dWh, db
