"""Hidden cases of the backward passes: caches that only backpropagation can use.

A hidden case hands a backward function a cache whose stored activations are not the
forward pass of the cached inputs. A backward pass that reads the cache matches the
reference; one that recovers the bias, re-runs the forward and differentiates it
numerically passes the public case but not the hidden ones.
"""

import json
import pathlib

import numpy as np
import pytest

import rnnlib
from rnnlib.backend import array_namespace, default_rng
from rnnlib.checks import run_check, specs

ROOT = pathlib.Path(__file__).resolve().parents[1]

DECOUPLED = ("rnn_step_backward", "rnn_backward", "lstm_step_backward", "gru_step_backward")
NOTEBOOK = {"rnn_step_backward": "03-bptt", "rnn_backward": "03-bptt",
            "lstm_step_backward": "06-lstm", "gru_step_backward": "07-gru"}
SEEDS = (1234, 2024)  # 2024 is the seed the notebooks' hidden tests use


# ------------------------------------------------------------ the backward passes ---

def _rnn_backward_by_steps(dh, caches):
    """rnnlib's step backward looped over the list of step caches."""
    T = len(caches)
    dx, dh_next, total = [None] * T, np.zeros_like(caches[0].h_prev), None
    for t in reversed(range(T)):
        dx[t], dh_next, *grads = rnnlib.rnn_step_backward(dh[:, t, :] + dh_next, caches[t])
        total = grads if total is None else [a + g for a, g in zip(total, grads)]
    return (np.stack(dx, axis=1), dh_next, *total)


RNNLIB = {"rnn_step_backward": rnnlib.rnn_step_backward, "rnn_backward": _rnn_backward_by_steps,
          "lstm_step_backward": rnnlib.lstm_step_backward, "gru_step_backward": rnnlib.gru_step_backward}


def _solution(name):
    """The solution notebook's function ``name`` (with the cells it calls)."""
    nb = json.loads((ROOT / "solutions" / NOTEBOOK[name] / f"{NOTEBOOK[name]}.ipynb").read_text())
    namespace = {"np": np}
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and grade_id in DECOUPLED:
            exec("".join(cell["source"]), namespace)
    return namespace[name]


# ------------------------------------- students who differentiate the forward -------

def _numerical(loss, args, count, eps=1e-5):
    """Centred differences of the number loss(*args) for the first ``count`` args."""
    grads = []
    for i in range(count):
        grad = np.zeros_like(args[i])
        for idx in np.ndindex(args[i].shape):
            def at(delta):
                moved = list(args)
                moved[i] = args[i].copy()
                moved[i][idx] += delta
                return loss(*moved)
            grad[idx] = (at(eps) - at(-eps)) / (2 * eps)
        grads.append(grad)
    return tuple(grads)


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _logit(s):
    return np.log(s / (1 - s))


def fd_rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    b = np.arctanh(h[0]) - x[0] @ Wx - h_prev[0] @ Wh  # the bias, from the first row

    def loss(x, h_prev, Wx, Wh, b):
        return np.sum(np.tanh(x @ Wx + h_prev @ Wh + b) * dh)

    return _numerical(loss, (x, h_prev, Wx, Wh, b), 5)


def fd_rnn_backward(dh, caches):
    x = np.stack([cache.x for cache in caches], axis=1)  # (N, T, D)
    h0, Wx, Wh = caches[0].h_prev, caches[0].Wx, caches[0].Wh
    b = np.arctanh(caches[0].h[0]) - x[0, 0] @ Wx - h0[0] @ Wh

    def loss(x, h0, Wx, Wh, b):
        h, total = h0, 0.0
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
            total += np.sum(h * dh[:, t])
        return total

    return _numerical(loss, (x, h0, Wx, Wh, b), 5)


def fd_lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, Wx, Wh, gates, tanh_c = cache
    H = h_prev.shape[1]
    a0 = np.concatenate([_logit(gates[0, :3 * H]), np.arctanh(gates[0, 3 * H:])])
    b = a0 - x[0] @ Wx - h_prev[0] @ Wh

    def loss(x, h_prev, c_prev, Wx, Wh, b):
        a = x @ Wx + h_prev @ Wh + b
        i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H])
        c = f * c_prev + i * np.tanh(a[:, 3 * H:])
        return np.sum(o * np.tanh(c) * dh) + np.sum(c * dc)

    return _numerical(loss, (x, h_prev, c_prev, Wx, Wh, b), 6)


def fd_gru_step_backward(dh, cache):
    x, h_prev, Wx, Wh, zr, n = cache
    H = h_prev.shape[1]
    r0 = zr[0, H:]
    b = np.concatenate([_logit(zr[0]) - x[0] @ Wx[:, :2 * H] - h_prev[0] @ Wh[:, :2 * H],
                        np.arctanh(n[0]) - x[0] @ Wx[:, 2 * H:] - (r0 * h_prev[0]) @ Wh[:, 2 * H:]])

    def loss(x, h_prev, Wx, Wh, b):
        zr = _sigmoid(x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H])
        z, r = zr[:, :H], zr[:, H:]
        n = np.tanh(x @ Wx[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
        return np.sum((z * h_prev + (1 - z) * n) * dh)

    return _numerical(loss, (x, h_prev, Wx, Wh, b), 5)


FINITE_DIFFERENCES = {"rnn_step_backward": fd_rnn_step_backward, "rnn_backward": fd_rnn_backward,
                      "lstm_step_backward": fd_lstm_step_backward,
                      "gru_step_backward": fd_gru_step_backward}


# ------------------------------------------------------------------------- tests ----

def test_the_backward_passes_are_what_is_decoupled():
    """Only specs whose arguments hold a forward cache redraw it; the others (bptt_t3,
    hidden_gradient_norms, self_loop_error_flow, ...) are given no inputs to re-run."""
    assert {name for name, spec in specs.SPECS.items() if spec.decouple is not None} == set(DECOUPLED)


@pytest.mark.parametrize("name", sorted(specs.SPECS))
def test_public_cases_are_what_make_args_draws(name):
    spec = specs.SPECS[name]
    sizes = spec.public[0]
    drawn = spec.make_args(default_rng(7), sizes)
    assert _same(specs.case_args(spec, 7, sizes), drawn)
    assert _same(specs.case_args(spec, 7, sizes, hidden=False), drawn)
    if spec.decouple is None:
        assert _same(specs.case_args(spec, 7, spec.hidden[-1], hidden=True),
                     spec.make_args(default_rng(7), spec.hidden[-1]))


@pytest.mark.parametrize("name", DECOUPLED)
def test_hidden_cases_are_reproducible(name):
    spec = specs.SPECS[name]
    for sizes in spec.hidden:
        assert _same(specs.case_args(spec, 11, sizes, hidden=True),
                     specs.case_args(spec, 11, sizes, hidden=True))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("source", ["rnnlib", "solution"])
@pytest.mark.parametrize("name", DECOUPLED)
def test_backpropagation_passes_the_hidden_cases(name, source, seed):
    fn = RNNLIB[name] if source == "rnnlib" else _solution(name)
    result = run_check(name, fn, seed=seed, hidden=True)
    assert result.passed, result.message


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", DECOUPLED)
def test_differentiating_the_forward_fails_the_hidden_cases(name, seed, monkeypatch):
    cheat = FINITE_DIFFERENCES[name]
    public = run_check(name, cheat)
    assert public.passed, public.message  # a good imitation where the cache is honest
    hidden = run_check(name, cheat, seed=seed, hidden=True)
    assert not hidden.passed
    assert "raised" not in hidden.message and "wrong values" in hidden.message, hidden.message
    # ... and it is the redrawn cache that catches it: without it the cheat passes.
    monkeypatch.setattr(specs.SPECS[name], "decouple", None)
    assert run_check(name, cheat, seed=seed, hidden=True).passed


def _activations(name, args):
    """The stored activations of one case's cache(s), as NumPy arrays."""
    if name == "rnn_step_backward":
        return [args[1].h]
    if name == "rnn_backward":
        return [cache.h for cache in args[1]]
    if name == "lstm_step_backward":
        return [args[2].gates, args[2].tanh_c]
    return [args[1].zr, args[1].n]


def _inputs(name, args):
    """Everything of a case except the stored activations (and the chained h_prev)."""
    if name == "rnn_step_backward":
        return [args[0], *args[1][:4]]
    if name == "rnn_backward":
        return [args[0], args[1][0].h_prev] + [a for c in args[1] for a in (c.x, c.Wx, c.Wh)]
    if name == "lstm_step_backward":
        return [args[0], args[1], *args[2][:5]]
    return [args[0], *args[1][:4]]


@pytest.mark.parametrize("name", DECOUPLED)
def test_hidden_caches_are_not_the_forward_of_their_inputs(name):
    spec = specs.SPECS[name]
    for k, sizes in enumerate(spec.hidden):
        honest = specs.case_args(spec, 1234 + k, sizes)  # the forward of the same inputs
        redrawn = specs.case_args(spec, 1234 + k, sizes, hidden=True)
        assert _same(_inputs(name, redrawn), _inputs(name, honest))
        for new, old in zip(_activations(name, redrawn), _activations(name, honest)):
            assert new.shape == old.shape
            assert np.all(np.abs(new - old).max(axis=-1) > 1e-6), f"a row of {name}'s cache is unchanged"


@pytest.mark.parametrize("name", DECOUPLED)
def test_hidden_caches_are_consistent(name):
    spec = specs.SPECS[name]
    for k, sizes in enumerate(spec.hidden):
        args = specs.case_args(spec, 1234 + k, sizes, hidden=True)
        if name == "rnn_step_backward":
            assert np.all(np.abs(args[1].h) < 1)
        elif name == "rnn_backward":
            caches = args[1]
            assert len(caches) == sizes["T"]
            for before, after in zip(caches, caches[1:]):
                assert np.array_equal(after.h_prev, before.h)  # the chain of states
            assert all(np.all(np.abs(cache.h) < 1) for cache in caches)
        elif name == "lstm_step_backward":
            x, h_prev, c_prev, Wx, Wh, gates, tanh_c = args[2]
            H = sizes["H"]
            i, f, o, g = (gates[:, j * H:(j + 1) * H] for j in range(4))
            assert np.all((gates[:, :3 * H] > 0) & (gates[:, :3 * H] < 1)) and np.all(np.abs(g) < 1)
            np.testing.assert_allclose(tanh_c, np.tanh(f * c_prev + i * g), rtol=1e-14, atol=1e-15)
        else:
            zr, n = args[1].zr, args[1].n
            assert zr.shape == (sizes["N"], 2 * sizes["H"]) and n.shape == (sizes["N"], sizes["H"])
            assert np.all((zr > 0) & (zr < 1)) and np.all(np.abs(n) < 1)


MISTAKES = [(name, m) for name in DECOUPLED for m in specs.SPECS[name].mistakes]


@pytest.mark.parametrize("name,mistake", MISTAKES, ids=[f"{n}-{m.label}" for n, m in MISTAKES])
def test_named_mistakes_are_recognised_on_hidden_cases(name, mistake):
    result = run_check(name, lambda *args: tuple(mistake.variant(*args)), seed=1234, hidden=True)
    assert not result.passed
    assert result.mistake == mistake.label, result.message


def _to(xp, obj):
    if isinstance(obj, np.ndarray):
        return xp.asarray(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_to(xp, v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(xp, v) for v in obj)
    return obj


@pytest.mark.parametrize("name", DECOUPLED)
def test_decoupling_stays_in_the_inputs_namespace(name, xp):
    spec = specs.SPECS[name]
    sizes = spec.hidden[-1]
    args = _to(xp, spec.make_args(default_rng(5), sizes))
    redrawn = spec.decouple(default_rng(6), args)
    for array in _activations(name, redrawn):
        assert array_namespace(array) is array_namespace(args[0])
    spec.reference(*redrawn)  # the reference backward runs on them


def _same(a, b):
    """Whether two argument structures hold identical values."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.all(a == b))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b
