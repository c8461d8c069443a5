"""What the checks say about a forward's cache, a narrow dtype and a negative self-loop weight.

The cache of a forward step is part of what the assignment asks for: its backward pass
(and the backward checks' cases) read it by place. Each wrong function here is rnnlib's
reference with its outputs right and one deliberate change in its cache, so the test
knows which entry is wrong and what it holds.
"""

import numpy as np
import pytest

import rnnlib
from rnnlib import gru, lstm
from rnnlib.checks import run_check
from rnnlib.checks.specs import SPECS


def _with_cache(forward, change):
    """``forward`` with its cache (the last item it returns) replaced by ``change(cache, args)``."""
    def student(*args):
        *outputs, cache = forward(*args)
        return (*outputs, change(tuple(cache), args))
    return student


def _message(name, fn):
    result = run_check(name, fn)
    assert not result.passed
    assert "[[" not in result.message and "array(" not in result.message
    return result


def test_a_pre_activation_in_place_of_h_is_named():
    def change(cache, args):
        x, h_prev, Wx, Wh, b = args
        return (*cache[:4], x @ Wx + h_prev @ Wh + b)

    result = _message("rnn_step_forward", _with_cache(rnnlib.rnn_step_forward, change))
    assert "h is right, but cache[4] should be h = tanh(a), after the activation; yours holds a value " \
           "that matches the pre-activation a" in result.message
    assert result.mistake == "cache: pre-activation" and result.output == "cache[4]"


def test_entries_in_another_order_are_named():
    result = _message("rnn_step_forward", _with_cache(rnnlib.rnn_step_forward,
                                                      lambda c, a: (c[0], c[1], c[3], c[2], c[4])))
    assert "cache[2] should be Wx; yours holds Wh, which belongs in cache[3]" in result.message


@pytest.mark.parametrize("cache, words", [
    (lambda c, a: None, "cache is None: return it as the tuple (x, h_prev, Wx, Wh, h)"),
    (lambda c, a: c[:4], "cache has 4 entries: it should be the tuple (x, h_prev, Wx, Wh, h) of 5"),
    (lambda c, a: dict(zip("abcde", c)), "cache is a dict"),
    (lambda c, a: (*c[:4], c[4].T), "cache[4] should be h = tanh(a), after the activation, of shape (3, 5); "
                                    "yours has shape (5, 3)"),
])
def test_a_cache_of_another_form_is_described(cache, words):
    assert words in _message("rnn_step_forward", _with_cache(rnnlib.rnn_step_forward, cache)).message


def _gates(cache, args, blocks):
    """The LSTM cache with its gates rebuilt from the blocks ``blocks(a, H)`` of the pre-activation."""
    x, h_prev, c_prev, Wx, Wh, b = args
    H = h_prev.shape[1]
    gates = np.concatenate(blocks(x @ Wx + h_prev @ Wh + b, H), axis=1)
    return (*cache[:5], gates, cache[6])


def test_lstm_gates_as_pre_activations_are_named():
    student = _with_cache(rnnlib.lstm_step_forward, lambda c, a: _gates(c, a, lambda s, H: [s]))
    message = _message("lstm_step_forward", student).message
    assert "h and c are right, but cache[5] should be gates = [i, f, o, g]" in message
    assert "matches the pre-activation a" in message


def test_one_lstm_gate_block_of_the_cache_is_localised():
    def blocks(a, H):  # the candidate left before its tanh
        return [rnnlib.sigmoid(a[:, :3 * H]), a[:, 3 * H:]]

    message = _message("lstm_step_forward", _with_cache(rnnlib.lstm_step_forward,
                                                        lambda c, a: _gates(c, a, blocks))).message
    assert "only its candidate (g) block is wrong, and it holds the matching block of the pre-activation" in message


def test_lstm_gates_packed_in_another_order_are_named():
    def blocks(a, H):  # i, f, g, o
        s = rnnlib.sigmoid(a)
        return [s[:, :2 * H], np.tanh(a[:, 3 * H:]), s[:, 2 * H:3 * H]]

    message = _message("lstm_step_forward", _with_cache(rnnlib.lstm_step_forward,
                                                        lambda c, a: _gates(c, a, blocks))).message
    assert "its output (o) block holds the candidate (g) and its candidate (g) block holds the output (o): " \
           "pack the blocks in the order i, f, o, g" in message


def test_c_in_place_of_tanh_c_is_named():
    def student(*args):
        h, c, cache = lstm.lstm_step_forward(*args)
        return h, c, (*tuple(cache)[:6], c)

    assert "cache[6] should be tanh_c = tanh(c), of the new cell state c; yours holds a value that matches " \
           "the new cell state c itself" in _message("lstm_step_forward", student).message


def test_gru_gates_swapped_in_the_cache_are_named():
    def change(cache, args):
        H = args[1].shape[1]
        zr = cache[4]
        return (*cache[:4], np.concatenate([zr[:, H:], zr[:, :H]], axis=1), cache[5])

    message = _message("gru_step_forward", _with_cache(gru.gru_step_forward, change)).message
    assert "cache[4] should be zr = [z, r]" in message and "pack the blocks in the order z, r" in message


def _rnn_forward(x, h0, Wx, Wh, b, keep_h0=False):
    h, caches, states = h0, [], []
    for t in range(x.shape[1]):
        new, cache = rnnlib.rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        caches.append(cache._replace(h_prev=h0) if keep_h0 else cache)
        states.append(new)
        h = new
    return np.stack(states, axis=1), caches


def test_the_list_of_step_caches_is_checked_step_by_step():
    assert run_check("rnn_forward", _rnn_forward).passed
    assert run_check("rnn_forward", _rnn_forward, seed=5, hidden=True).passed
    message = _message("rnn_forward", lambda *a: _rnn_forward(*a, keep_h0=True)).message
    assert "caches[1][1] should be h_prev, the state the step starts from" in message
    assert "The caches of steps t = 1, 2 and 3 are wrong; those of t = 0 are right." in message
    short = _message("rnn_forward", lambda *a: (_rnn_forward(*a)[0], _rnn_forward(*a)[1][:-1])).message
    assert "caches has 3 entries for T = 4 steps" in short
    whole = _message("rnn_forward", rnnlib.rnn_forward).message  # rnnlib's one cache for the sequence
    assert "caches has 5 entries for T = 4 steps" in whole


def test_a_float32_result_of_float64_inputs_is_named():
    def student(dh, caches):
        return tuple(g.astype(np.float32) for g in SPECS["rnn_backward"].reference(dh, caches))

    result = _message("rnn_backward", student)
    assert "dx, dh0, dWx, dWh and db have dtype float32, narrower than the float64 of the inputs" in result.message
    assert result.mistake == "narrow dtype"
    one = _message("rnn_step_backward", lambda dh, cache: (*rnnlib.rnn_step_backward(dh, cache)[:4],
                                                           rnnlib.rnn_step_backward(dh, cache)[4].astype(np.float32)))
    assert "db has dtype float32, narrower than the float64 of the inputs" in one.message


def _float32_inputs(monkeypatch, name):
    """Make the spec's cases in float32, as a float32 model would hand them."""
    spec = SPECS[name]
    make = spec.make_args

    def cast(value):
        if isinstance(value, np.ndarray):
            return value.astype(np.float32)
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return type(value)(*map(cast, value))
        if isinstance(value, (list, tuple)):
            return type(value)(map(cast, value))
        return value

    monkeypatch.setattr(spec, "make_args", lambda rng, sizes: cast(make(rng, sizes)))


@pytest.mark.parametrize("name, student", [
    ("rnn_step_forward", rnnlib.rnn_step_forward),
    ("rnn_step_backward", rnnlib.rnn_step_backward),
    ("rnn_step_backward", lambda dh, cache: tuple(g.astype(np.float64) for g in rnnlib.rnn_step_backward(dh, cache))),
])
def test_float32_inputs_may_give_float32_or_wider_results(monkeypatch, name, student):
    _float32_inputs(monkeypatch, name)
    result = run_check(name, student)
    assert result.passed, result.message
    if "backward" in name and student is rnnlib.rnn_step_backward:
        assert all(g.dtype == np.float32 for g in student(*SPECS[name].make_args(np.random.default_rng(0),
                                                                                 SPECS[name].public[0])))


def test_a_signed_error_flow_fails_the_public_case():
    def signed(y, w, activation):
        slope = {"identity": np.ones_like(y), "tanh": 1 - y * y, "sigmoid": y * (1 - y)}[activation]
        flow, running = np.ones_like(y), 1.0
        for t in reversed(range(len(y) - 1)):
            running *= w * slope[t + 1]
            flow[t] = running
        return flow

    assert any(s["w"] < 0 for s in SPECS["self_loop_error_flow"].public)
    result = _message("self_loop_error_flow", signed)
    assert result.mistake == "no abs" and "take the absolute value" in result.message
