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
        cache.gates[:] = 0  # the cache holds the caller's arrays: this one is read again
        return out

    message = run_check("lstm_step_backward", student).message
    assert "changed its input cache[5] in place" in message
    assert "your values are right; only the in-place update is wrong" in message
    assert "only the upstream gradients dh and dc may be overwritten" in message


def test_a_backward_pass_may_overwrite_its_upstream_gradients():
    def student(dh, dc, cache):
        out = lstm.lstm_step_backward(dh, dc, cache)
        dh *= 0
        dc += 1
        return out

    for hidden in (False, True):
        result = run_check("lstm_step_backward", student, seed=7, hidden=hidden)
        assert result.passed, result.message
        assert "overwrote its upstream gradient dh in place, which is allowed" in result.message


def test_a_forward_pass_may_not_change_any_input():
    def student(x, h_prev, Wx, Wh, b):
        out = rnnlib.rnn_step_forward(x, h_prev, Wx, Wh, b)
        h_prev += 1
        return out

    message = run_check("rnn_step_forward", student).message
    assert "changed its input h_prev in place" in message and "may be overwritten" not in message


def test_an_in_place_change_inside_a_dict_is_named_by_its_key():
    def student(grads, max_norm):
        out = rnnlib.clip_grad_norm(grads, max_norm)
        grads["Wh"] += 1
        return out

    message = run_check("clip_grad_norm", student).message
    assert "changed its input grads['Wh'] in place" in message


def test_a_named_mistake_and_the_localisation_are_said_together_when_they_agree():
    def bias_copied(dh, dc, cache):
        dx, dh_prev, dc_prev, dWx, dWh, db = lstm.lstm_step_backward(dh, dc, cache)
        H = cache.h_prev.shape[1]
        return dx, dh_prev, dc_prev, dWx, dWh, np.concatenate([db[:H], db[:H], db[2 * H:]])

    result = run_check("lstm_step_backward", bias_copied)
    assert result.mistake == "bias copied"
    assert "copies the input gate's block of db into the forget gate's" in result.message
    assert "db is wrong; dx, dh_prev, dc_prev, dWx and dWh are right" in result.message
    assert "Only the forget (f) gate block is wrong in db" in result.message
    assert result.message.index("copies") < result.message.index("Only the forget")


def test_a_named_mistake_whose_places_differ_from_the_students_is_said_alone():
    def no_bias_and_more(x, h_prev, Wx, Wh, b):  # no bias, and a wrong cache: h matches the variant
        return np.tanh(x @ Wx + h_prev @ Wh), None

    result = run_check("rnn_step_forward", no_bias_and_more)
    assert result.mistake == "no bias" and "is wrong" not in result.message
