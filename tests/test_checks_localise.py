"""Where a failed check says the mistake is: outputs, gate blocks, time steps.

Each wrong function here is rnnlib's reference with one deliberate change, so the test
knows exactly where the mistake is and that the sentence points there (never at the
expected values).
"""

import numpy as np
import pytest
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


# ---------------------------------------------------------------- raised errors ---

def _from_a_cell(source, name):
    """A function defined the way a notebook defines it: by IPython, from a cell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell(source, store_history=False)
    return shell.user_ns[name]


def test_an_error_shows_the_students_own_line_and_a_hint():
    fn = _from_a_cell("import numpy as np\ndef rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                      "    a = x @ Wh\n    return np.tanh(a), None\n", "rnn_step_forward")
    message = run_check("rnn_step_forward", fn).message
    assert "raised ValueError" in message
    assert "(line 3 of your cell: `a = x @ Wh`)" in message
    assert "the gradient of x in x @ W is d @ W.T" in message


def test_the_runner_reports_the_same_line():
    from rnnlib.course import runner

    fn = _from_a_cell("def broken(x):\n    y = x * 2\n    return y @ x\n", "broken")
    with pytest.raises(ValueError) as info:
        fn(np.ones((2, 3)))
    assert runner.where_raised(info.value) == " (line 3 of your cell: `return y @ x`)"


# ---------------------------------------------------------------- in place --------

def test_an_in_place_change_names_the_input_and_says_the_values_were_right():
    def student(dh, dc, cache):
        out = lstm.lstm_step_backward(dh, dc, cache)
        dc *= 2
        return out

    message = run_check("lstm_step_backward", student).message
    assert "changed its input dc in place" in message
    assert "your values are right; only the in-place update is wrong" in message


def test_an_in_place_change_inside_a_dict_is_named_by_its_key():
    def student(grads, max_norm):
        out = rnnlib.clip_grad_norm(grads, max_norm)
        grads["Wh"] += 1
        return out

    message = run_check("clip_grad_norm", student).message
    assert "changed its input grads['Wh'] in place" in message
