"""The checks students' test cells call: right answers pass, each named mistake is named."""

import numpy as np
import pytest

import rnnlib
from rnnlib import checks, gates
from rnnlib.checks import specs

REFERENCE = {
    "rnn_step_forward": rnnlib.rnn_step_forward, "rnn_forward": rnnlib.rnn_forward,
    "bptt_t3": rnnlib.bptt_t3, "rnn_step_backward": rnnlib.rnn_step_backward,
    "hidden_gradient_norms": rnnlib.hidden_gradient_norms,
    "clip_grad_value": rnnlib.clip_grad_value, "clip_grad_norm": rnnlib.clip_grad_norm,
    "self_loop_forward": rnnlib.self_loop_forward, "self_loop_error_flow": rnnlib.self_loop_error_flow,
    "learn_gate": gates.learn_gate, "forget_gate": gates.forget_gate,
    "remember_gate": gates.remember_gate, "use_gate": gates.use_gate,
    "lstm_step_forward": rnnlib.lstm_step_forward, "lstm_step_backward": rnnlib.lstm_step_backward,
    "gru_step_forward": rnnlib.gru_step_forward, "gru_step_backward": rnnlib.gru_step_backward,
}


def student_rnn_backward(dh, caches):
    """What a student writes: loop the step backward over the list of step caches."""
    T = len(caches)
    dx = [None] * T
    dh_next = np.zeros_like(caches[0].h_prev)
    dWx = dWh = db = 0
    for t in reversed(range(T)):
        dx[t], dh_next, gx, gh, gb = rnnlib.rnn_step_backward(dh[:, t, :] + dh_next, caches[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return np.stack(dx, axis=1), dh_next, dWx, dWh, db


def student_rnn_forward(x, h0, Wx, Wh, b):
    """What a student writes: loop the step forward, collecting the list of step caches (the
    assignment's layout; rnnlib's own rnn_forward keeps one cache for the whole sequence)."""
    h, caches = h0, []
    states = []
    for t in range(x.shape[1]):
        h, cache = rnnlib.rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        states.append(h)
        caches.append(cache)
    return np.stack(states, axis=1), caches


REFERENCE["rnn_backward"] = student_rnn_backward
REFERENCE["rnn_forward"] = student_rnn_forward


def as_return(name, outputs):
    """Shape a tuple of outputs like the function's return value."""
    if name in ("rnn_step_forward", "rnn_forward", "gru_step_forward"):
        return outputs[0], None
    if name == "lstm_step_forward":
        return outputs[0], outputs[1], None
    if name == "bptt_t3":
        return {"dWy": outputs[0], "dWs": outputs[1], "dWx": outputs[2],
                "dWs_terms": list(outputs[3:6]), "dWx_terms": list(outputs[6:9])}
    if name == "clip_grad_value":
        return dict(zip(("Wx", "Wh", "b"), outputs))
    if name == "clip_grad_norm":
        return dict(zip(("Wx", "Wh", "b"), outputs[:3])), float(outputs[3][0])
    if len(outputs) == 1:
        return outputs[0]
    return tuple(outputs)


def test_every_spec_has_a_reference_here():
    assert set(REFERENCE) == set(specs.SPECS)


@pytest.mark.parametrize("name", sorted(specs.SPECS))
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_passes(name, hidden, capsys):
    getattr(checks, f"check_{name}")(REFERENCE[name], hidden=hidden)
    out = capsys.readouterr().out
    assert out.startswith("\u2714 " + name + " passes")
    if specs.SPECS[name].numerical is not None and not hidden:
        assert "finite differences" in out


MISTAKES = [(name, m) for name, spec in specs.SPECS.items() for m in spec.mistakes]


@pytest.mark.parametrize("name,mistake", MISTAKES, ids=[f"{n}-{m.label}" for n, m in MISTAKES])
def test_each_named_mistake_is_recognised(name, mistake):
    def wrong(*args):
        return as_return(name, mistake.variant(*args))

    result = checks.run_check(name, wrong)
    if result.passed:  # some mistakes only show on the hidden cases (a negative weight, say)
        result = checks.run_check(name, wrong, seed=7, hidden=True)
    assert not result.passed
    assert result.mistake == mistake.label, result.message
    assert mistake.sentence in result.message


def _rnn_step_backward_with(transform):
    def fn(dh, cache):
        return transform(*rnnlib.rnn_step_backward(dh, cache))
    return fn


@pytest.mark.parametrize("fn,needle", [
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx, -dWh, db)), "wrong sign"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx, dWh.T, db)), "transpose"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx, dWh, db[None, :].repeat(3, 0))),
     "shape (3, 5), expected (5,)"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx.tolist(), dhp, dWx, dWh, db)), "Python list"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx * np.nan, dWh, db)), "contains NaN"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx, dWh, db.astype(np.int64))), "dtype int64"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx.T, dWh, db)), "transpose of the expected"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx * 3, dWh, db)), "N = 3"),
    (_rnn_step_backward_with(lambda dx, dhp, dWx, dWh, db: (dx, dhp, dWx, dWh)), "tuple of 5"),
    (lambda dh, cache: 1 / 0, "raised ZeroDivisionError"),
])
def test_generic_diagnoses(fn, needle):
    result = checks.run_check("rnn_step_backward", fn)
    assert not result.passed and needle in result.message, result.message


def test_factor_of_T_in_rnn_backward():
    def averaged(dh, caches):
        dx, dh0, dWx, dWh, db = student_rnn_backward(dh, caches)
        return dx, dh0, dWx / len(caches), dWh, db
    result = checks.run_check("rnn_backward", averaged)
    assert "1/T" in result.message


def test_hard_coded_answers_fail_the_hidden_cases():
    args = specs.case_args(specs.SPECS["rnn_step_forward"], 0, specs.SPECS["rnn_step_forward"].public[0])
    frozen = rnnlib.rnn_step_forward(*args)  # the public case's h and cache
    cheat = lambda *a: frozen  # noqa: E731
    assert checks.run_check("rnn_step_forward", cheat).passed
    assert not checks.run_check("rnn_step_forward", cheat, hidden=True).passed


def test_in_place_changes_are_reported():
    def sloppy(x, h_prev, Wx, Wh, b):
        b += 1.0
        return rnnlib.rnn_step_forward(x, h_prev, Wx, Wh, b - 1.0)
    assert "in place" in checks.run_check("rnn_step_forward", sloppy).message


def test_warnings_and_prints_are_captured_and_cost_nothing(capfd):
    import warnings

    def noisy(x, h_prev, Wx, Wh, b):
        warnings.warn("this is fine")
        print("debugging output")
        import sys
        print("to stderr", file=sys.stderr)
        return rnnlib.rnn_step_forward(x, h_prev, Wx, Wh, b)

    checks.check_rnn_step_forward(noisy)
    out, err = capfd.readouterr()
    assert err == ""
    assert "passes" in out and "warning" in out


def test_check_failure_is_an_assertion_error():
    with pytest.raises(AssertionError, match="rnn_step_forward leaves out the bias b"):
        checks.check_rnn_step_forward(lambda x, h, Wx, Wh, b: rnnlib.rnn_step_forward(x, h, Wx, Wh, 0 * b))
