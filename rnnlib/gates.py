"""The LSTM step told as four gates: learn, forget, remember, use (chapter 6).

Each function reads its own blocks of the packed weights of :mod:`rnnlib.lstm`
(columns in the order i, f, o, g), and together they compose into
:func:`rnnlib.lstm_step_forward`::

    learned   = learn_gate(x, h_prev, Wx, Wh, b)              # N_t * i_t
    forgotten = forget_gate(x, h_prev, c_prev, Wx, Wh, b)     # LTM_{t-1} * f_t
    c         = remember_gate(forgotten, learned)             # the new LTM
    h         = use_gate(x, h_prev, c, Wx, Wh, b)             # the new STM

Inputs everywhere: x (N, D), the event; h_prev (N, H), the short-term memory;
c_prev (N, H), the long-term memory; Wx (D, 4H), Wh (H, 4H), b (4H,).
"""

from __future__ import annotations

from .activations import sigmoid
from .validate import check_inputs

_BLOCKS = {"i": 0, "f": 1, "o": 2, "g": 3}


def _pre_activation(xp, x, h_prev, Wx, Wh, b, gate, H):
    """x Wx + h_prev Wh + b restricted to one gate's H columns, (N, H)."""
    k = _BLOCKS[gate]
    cols = slice(k * H, (k + 1) * H)
    return x @ Wx[:, cols] + h_prev @ Wh[:, cols] + b[cols]


def _check(x, h_prev, Wx, Wh, b, **more):
    return check_inputs(x=(x, "N D"), h_prev=(h_prev, "N H"),
                        **{k: (v, "N H") for k, v in more.items()},
                        Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))


def learn_gate(x, h_prev, Wx, Wh, b):
    """What the cell learns from the event: ``N_t * i_t``, (N, H).

    The information vector ``N_t = tanh(x Wx_g + h_prev Wh_g + b_g)`` (the candidate
    g) is scaled by the ignore factor ``i_t = sigmoid(x Wx_i + h_prev Wh_i + b_i)``
    (the input gate).
    """
    xp, dims = _check(x, h_prev, Wx, Wh, b)
    H = dims["H"]
    information = xp.tanh(_pre_activation(xp, x, h_prev, Wx, Wh, b, "g", H))
    ignore = sigmoid(_pre_activation(xp, x, h_prev, Wx, Wh, b, "i", H))
    return information * ignore


def forget_gate(x, h_prev, c_prev, Wx, Wh, b):
    """What the long-term memory keeps: ``c_prev * f_t``, (N, H), with
    ``f_t = sigmoid(x Wx_f + h_prev Wh_f + b_f)``."""
    xp, dims = _check(x, h_prev, Wx, Wh, b, c_prev=c_prev)
    return c_prev * sigmoid(_pre_activation(xp, x, h_prev, Wx, Wh, b, "f", dims["H"]))


def remember_gate(forgotten, learned):
    """The new long-term memory: what was kept plus what was learned, (N, H).

    ``c_t = c_prev * f_t + N_t * i_t``: the central plus sign of the LSTM.
    """
    check_inputs(forgotten=(forgotten, "N H"), learned=(learned, "N H"))
    return forgotten + learned


def use_gate(x, h_prev, c, Wx, Wh, b):
    """The new short-term memory (and output): ``o_t * tanh(c_t)``, (N, H).

    c is the NEW long-term memory from :func:`remember_gate`, and
    ``o_t = sigmoid(x Wx_o + h_prev Wh_o + b_o)``. This is the standard LSTM; the
    variant in some course notes that feeds the forget gate's output through its own
    tanh layer is discussed in chapter 6.
    """
    xp, dims = _check(x, h_prev, Wx, Wh, b, c=c)
    return sigmoid(_pre_activation(xp, x, h_prev, Wx, Wh, b, "o", dims["H"])) * xp.tanh(c)
