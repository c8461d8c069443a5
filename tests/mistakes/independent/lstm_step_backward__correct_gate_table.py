"""Correct: a table of (upstream, local derivative) per gate filled into a preallocated da, einsum for the affine part."""
FUNCTION, KIND, WORDS = "lstm_step_backward", "correct", []
import numpy as np


def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    N, H = dh.shape
    blk = {name: gates[:, k * H:(k + 1) * H] for k, name in enumerate("ifog")}
    dmem = dc + dh * blk["o"] * (1.0 - tanh_c * tanh_c)
    table = {
        "i": (dmem * blk["g"], blk["i"] * (1.0 - blk["i"])),
        "f": (dmem * c_prev, blk["f"] * (1.0 - blk["f"])),
        "o": (dh * tanh_c, blk["o"] * (1.0 - blk["o"])),
        "g": (dmem * blk["i"], (1.0 - blk["g"]) * (1.0 + blk["g"])),
    }
    da = np.empty((N, 4 * H), dtype=np.result_type(dh, gates))
    for k, name in enumerate("ifog"):
        up, local = table[name]
        da[:, k * H:(k + 1) * H] = up * local
    dx = np.einsum("nk,dk->nd", da, Wx)
    dh_prev = np.einsum("nk,hk->nh", da, Wh)
    dWx = np.einsum("nd,nk->dk", x, da)
    dWh = np.einsum("nh,nk->hk", h_prev, da)
    return dx, dh_prev, dmem * blk["f"], dWx, dWh, da.sum(axis=0)
