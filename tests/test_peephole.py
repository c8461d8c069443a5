"""The peephole LSTM step: finite differences, an independent NumPy reference, the
plain LSTM at p = 0, purity and errors that name the argument."""

import numpy as np
import pytest
from conftest import to_np

import rnnlib

SHAPES = [(2, 3, 5), (1, 1, 1), (3, 2, 1), (1, 1, 2), (4, 5, 3)]  # N, D, H
NAMES = ("x", "h_prev", "c_prev", "Wx", "Wh", "b", "p")


def inputs(xp, rng, N, D, H, p_scale=0.8):
    """A dict of float64 inputs in the order of the forward's arguments."""
    draws = {"x": (N, D), "h_prev": (N, H), "c_prev": (N, H), "Wx": (D, 4 * H),
             "Wh": (H, 4 * H), "b": (4 * H,), "p": (3, H)}
    out = {k: 0.7 * rng.standard_normal(shape) for k, shape in draws.items()}
    out["p"] = p_scale * out["p"] / 0.7
    return {k: xp.asarray(v) for k, v in out.items()}


def reference(x, h_prev, c_prev, Wx, Wh, b, p):
    """Gers and Schmidhuber's equations, written out in NumPy gate by gate."""
    H = h_prev.shape[1]

    def s(a):
        return 1.0 / (1.0 + np.exp(-a))

    def pre(k):  # block k of the packed pre-activation, columns i, f, o, g
        cols = slice(k * H, (k + 1) * H)
        return x @ Wx[:, cols] + h_prev @ Wh[:, cols] + b[cols]

    i = s(pre(0) + p[0] * c_prev)
    f = s(pre(1) + p[1] * c_prev)
    g = np.tanh(pre(3))
    c = f * c_prev + i * g
    o = s(pre(2) + p[2] * c)
    return o * np.tanh(c), c


@pytest.mark.parametrize("N,D,H", SHAPES)
def test_every_gradient_matches_finite_differences(xp, rng, N, D, H):
    errors = rnnlib.gradcheck(rnnlib.lstm_peephole_step_forward,
                              rnnlib.lstm_peephole_step_backward, inputs(xp, rng, N, D, H),
                              tol=1e-7)
    assert set(errors) == {"d" + name for name in NAMES}
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("N,D,H", SHAPES)
def test_forward_matches_the_papers_equations(xp, rng, N, D, H):
    args = inputs(xp, rng, N, D, H)
    h, c, _ = rnnlib.lstm_peephole_step_forward(**args)
    h_ref, c_ref = reference(**{k: to_np(v) for k, v in args.items()})
    np.testing.assert_allclose(to_np(h), h_ref, rtol=0, atol=1e-13)
    np.testing.assert_allclose(to_np(c), c_ref, rtol=0, atol=1e-13)


def test_output_gate_sees_the_new_cell_and_the_others_the_old(rng):
    """Each peephole alone: p_o changes only o; p_i and p_f change c as well."""
    args = inputs(np, rng, 3, 2, 4)
    zero = np.zeros((3, 4))
    _, c0, cache0 = rnnlib.lstm_peephole_step_forward(**{**args, "p": zero})
    for row, changes_c in ((0, True), (1, True), (2, False)):
        p = zero.copy()
        p[row] = 1.5
        _, c, cache = rnnlib.lstm_peephole_step_forward(**{**args, "p": p})
        changed = np.max(np.abs(cache.gates - cache0.gates), axis=0).reshape(4, 4).max(axis=1)
        assert changed[row] > 1e-3 and np.all(np.delete(changed, row) == 0.0), (row, changed)
        assert (np.max(np.abs(c - c0)) > 1e-3) == changes_c
    # the output gate's peephole reads c_t: with p = (0, 0, p_o), o = sigmoid(a_o + c_t p_o)
    p = zero.copy()
    p[2] = 1.5
    _, c, cache = rnnlib.lstm_peephole_step_forward(**{**args, "p": p})
    a_o = args["x"] @ args["Wx"][:, 8:12] + args["h_prev"] @ args["Wh"][:, 8:12] + args["b"][8:12]
    np.testing.assert_allclose(cache.gates[:, 8:12], 1 / (1 + np.exp(-(a_o + 1.5 * c))), atol=1e-14)


@pytest.mark.parametrize("N,D,H", SHAPES)
def test_zero_peepholes_are_the_plain_lstm(xp, rng, N, D, H):
    args = inputs(xp, rng, N, D, H)
    args["p"] = xp.zeros((3, H), dtype=xp.float64)
    h, c, cache = rnnlib.lstm_peephole_step_forward(**args)
    plain = {k: v for k, v in args.items() if k != "p"}
    h_lstm, c_lstm, cache_lstm = rnnlib.lstm_step_forward(**plain)
    for ours, theirs in ((h, h_lstm), (c, c_lstm), (cache.gates, cache_lstm.gates)):
        np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=0, atol=1e-15)
    dh = xp.asarray(rng.standard_normal((N, H)))
    dc = xp.asarray(rng.standard_normal((N, H)))
    grads = rnnlib.lstm_peephole_step_backward(dh, dc, cache)
    grads_lstm = rnnlib.lstm_step_backward(dh, dc, cache_lstm)
    assert len(grads) == 7 and tuple(grads[-1].shape) == (3, H)
    for ours, theirs in zip(grads[:6], grads_lstm):
        np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=0, atol=1e-14)


def test_pure_functions(xp, rng):
    args = inputs(xp, rng, 2, 3, 4)
    before = {k: to_np(v).copy() for k, v in args.items()}
    h, c, cache = rnnlib.lstm_peephole_step_forward(**args)
    dh = xp.asarray(rng.standard_normal((2, 4)))
    dc = xp.asarray(rng.standard_normal((2, 4)))
    dh_before, dc_before = to_np(dh).copy(), to_np(dc).copy()
    rnnlib.lstm_peephole_step_backward(dh, dc, cache)
    for k, v in args.items():
        np.testing.assert_array_equal(to_np(v), before[k], err_msg=k)
    np.testing.assert_array_equal(to_np(dh), dh_before)
    np.testing.assert_array_equal(to_np(dc), dc_before)


@pytest.mark.parametrize("shape", [(4,), (4, 3), (3, 5), (2, 4), (1, 3, 4)])
def test_wrong_peephole_shape_names_p(xp, rng, shape):
    args = inputs(xp, rng, 2, 3, 4)
    args["p"] = xp.asarray(rng.standard_normal(shape))
    with pytest.raises(ValueError, match=r"^p: expected .*\(3, H\).*got shape"):
        rnnlib.lstm_peephole_step_forward(**args)


def test_peepholes_as_a_list_are_refused(rng):
    args = inputs(np, rng, 2, 3, 4)
    args["p"] = [[0.0] * 4] * 3
    with pytest.raises(TypeError, match=r"^p: expected an array"):
        rnnlib.lstm_peephole_step_forward(**args)
