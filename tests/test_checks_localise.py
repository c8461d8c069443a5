"""Where a failed check says the mistake is: outputs, gate blocks, time steps.

Each wrong function here is rnnlib's reference with one deliberate change, so the test
knows exactly where the mistake is and that the sentence points there (never at the
expected values).
"""

import numpy as np
import rnnlib
from rnnlib import gru, lstm
from rnnlib.checks import run_check
from rnnlib.checks.specs import SPECS


def _scaled(result, outputs, where):
    out = [np.array(o, copy=True) for o in result]
    for k in outputs:
        out[k][where] *= 1.5
    return tuple(out)


def test_weight_gradients_wrong_in_one_lstm_gate():
    def student(dh, dc, cache):
        H = cache.h_prev.shape[1]
        return _scaled(lstm.lstm_step_backward(dh, dc, cache), (3, 4, 5), (..., slice(H, 2 * H)))

    message = run_check("lstm_step_backward", student).message
    assert "dWx, dWh and db are wrong; dx, dh_prev and dc_prev are right" in message
    assert "Only the forget (f) gate block is wrong in dWx, dWh and db" in message


def test_one_gru_gate_block_wrong():
    def student(dh, cache):
        H = cache.h_prev.shape[1]
        return _scaled(gru.gru_step_backward(dh, cache), (4,), (..., slice(2 * H, 3 * H)))

    message = run_check("gru_step_backward", student, seed=3, hidden=True).message
    assert "db is wrong" in message and "Only the candidate (n) gate block is wrong in db" in message


def test_only_the_last_step_right_points_back_through_time():
    def student(dh, caches):
        return _scaled(SPECS["rnn_backward"].reference(dh, caches), (0,), (slice(None), slice(None, -1)))

    message = run_check("rnn_backward", student).message
    assert "dx is wrong; dh0, dWx, dWh and db are right" in message
    assert "the last step is right and every earlier one is wrong" in message


def test_only_the_first_step_right_points_forward():
    def student(x, h0, Wx, Wh, b):
        h, caches = rnnlib.rnn_forward(x, h0, Wx, Wh, b)
        h = np.array(h, copy=True)
        h[:, 1:] += 0.1
        return h, caches

    message = run_check("rnn_forward", student).message
    assert "the first step is right and every later one is wrong" in message


def test_nothing_is_called_right_when_everything_is_wrong():
    def student(dh, cache):
        return tuple(2.5 * np.asarray(g) + 1 for g in rnnlib.rnn_step_backward(dh, cache))

    message = run_check("rnn_step_backward", student).message
    assert "right" not in message.replace("right shape", "")
    assert "gate block" not in message
