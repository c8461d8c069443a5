"""RNN, LSTM and GRU: finite-difference checks, sequences vs looped steps, purity."""

import array_api_strict
import numpy as np
import pytest
from conftest import to_np

import rnnlib

SHAPES = [(2, 4, 3, 5), (1, 1, 1, 1), (3, 1, 2, 1), (1, 5, 1, 2), (2, 3, 4, 1)]
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
SEQ = {
    "rnn": (rnnlib.rnn_forward, rnnlib.rnn_backward),
    "lstm": (rnnlib.lstm_forward, rnnlib.lstm_backward),
    "gru": (rnnlib.gru_forward, rnnlib.gru_backward),
}


def params(xp, rng, cell, D, H, scale=0.7):
    k = GATES[cell]
    return {
        "Wx": xp.asarray(scale * rng.standard_normal((D, k * H))),
        "Wh": xp.asarray(scale * rng.standard_normal((H, k * H))),
        "b": xp.asarray(0.3 * rng.standard_normal((k * H,))),
    }


@pytest.mark.parametrize("cell", ["rnn", "gru"])
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_step_backward_matches_finite_differences(xp, rng, cell, N, T, D, H):
    forward = getattr(rnnlib, f"{cell}_step_forward")
    backward = getattr(rnnlib, f"{cell}_step_backward")
    inputs = {"x": xp.asarray(rng.standard_normal((N, D))),
              "h_prev": xp.asarray(rng.standard_normal((N, H))), **params(xp, rng, cell, D, H)}
    errors = rnnlib.gradcheck(forward, backward, inputs, tol=1e-7)
    assert set(errors) == {"dx", "dh_prev", "dWx", "dWh", "db"}


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step_backward_matches_finite_differences(xp, rng, N, T, D, H):
    inputs = {"x": xp.asarray(rng.standard_normal((N, D))),
              "h_prev": xp.asarray(rng.standard_normal((N, H))),
              "c_prev": xp.asarray(rng.standard_normal((N, H))),
              **params(xp, rng, "lstm", D, H)}
    errors = rnnlib.gradcheck(rnnlib.lstm_step_forward, rnnlib.lstm_step_backward, inputs, tol=1e-7)
    assert set(errors) == {"dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_sequence_backward_matches_finite_differences(xp, rng, cell, N, T, D, H):
    forward, backward = SEQ[cell]
    inputs = {"x": xp.asarray(rng.standard_normal((N, T, D))),
              "h0": xp.asarray(rng.standard_normal((N, H))), **params(xp, rng, cell, D, H)}
    errors = rnnlib.gradcheck(forward, backward, inputs, tol=1e-7)
    assert max(errors.values()) < 1e-7


def _loop_steps(cell, x, h0, p, dh, c0=None):
    """Forward and backward of a sequence by looping the step functions by hand."""
    N, T, _ = x.shape
    h, c, caches, hs = h0, c0, [], []
    for t in range(T):
        if cell == "lstm":
            h, c, cache = rnnlib.lstm_step_forward(x[:, t, :], h, c, p["Wx"], p["Wh"], p["b"])
        else:
            h, cache = getattr(rnnlib, f"{cell}_step_forward")(x[:, t, :], h, p["Wx"], p["Wh"], p["b"])
        caches.append(cache)
        hs.append(to_np(h))
    grads = {k: 0.0 for k in ("Wx", "Wh", "b")}
    dxs = [None] * T
    dh_next = np.zeros_like(to_np(h0))
    dc_next = np.zeros_like(dh_next)
    xp = rnnlib.backend.array_namespace(x)
    for t in reversed(range(T)):
        upstream = xp.asarray(to_np(dh[:, t, :]) + dh_next)
        if cell == "lstm":
            dx, dhp, dcp, dWx, dWh, db = rnnlib.lstm_step_backward(upstream, xp.asarray(dc_next), caches[t])
            dc_next = to_np(dcp)
        else:
            dx, dhp, dWx, dWh, db = getattr(rnnlib, f"{cell}_step_backward")(upstream, caches[t])
        dh_next = to_np(dhp)
        dxs[t] = to_np(dx)
        for k, g in zip(("Wx", "Wh", "b"), (dWx, dWh, db)):
            grads[k] = grads[k] + to_np(g)
    return np.stack(hs, axis=1), np.stack(dxs, axis=1), dh_next, grads


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_sequence_equals_steps_looped_by_hand(xp, rng, cell, N, T, D, H):
    p = params(xp, rng, cell, D, H)
    x = xp.asarray(rng.standard_normal((N, T, D)))
    h0 = xp.asarray(rng.standard_normal((N, H)))
    dh = xp.asarray(rng.standard_normal((N, T, H)))
    forward, backward = SEQ[cell]
    h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
    dx, dh0, dWx, dWh, db = backward(dh, cache)
    c0 = xp.zeros((N, H), dtype=x.dtype) if cell == "lstm" else None
    h_ref, dx_ref, dh0_ref, g = _loop_steps(cell, x, h0, p, dh, c0)
    np.testing.assert_allclose(to_np(h), h_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(to_np(dx), dx_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_np(dh0), dh0_ref, rtol=1e-10, atol=1e-12)
    for name, got in (("Wx", dWx), ("Wh", dWh), ("b", db)):
        np.testing.assert_allclose(to_np(got), g[name], rtol=1e-10, atol=1e-12, err_msg=name)


def test_lstm_forward_uses_c0_and_exposes_cell_states(xp, rng):
    N, T, D, H = 2, 3, 2, 4
    p = params(xp, rng, "lstm", D, H)
    x = xp.asarray(rng.standard_normal((N, T, D)))
    h0 = xp.asarray(rng.standard_normal((N, H)))
    c0 = xp.asarray(rng.standard_normal((N, H)))
    h_zero, cache_zero = rnnlib.lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    h_c0, cache = rnnlib.lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], c0=c0)
    assert not np.allclose(to_np(h_zero), to_np(h_c0))
    h1, c1, _ = rnnlib.lstm_step_forward(x[:, 0, :], h0, c0, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(to_np(cache.c[0]), to_np(c1), rtol=1e-12)
    assert len(cache.c) == T and tuple(cache.c[0].shape) == (N, H)  # a list over time
    np.testing.assert_allclose(to_np(cache_zero.c0), np.zeros((N, H)))


def test_lstm_sequence_keeps_each_gate_as_one_block(xp, rng):
    """lstm_forward's cache holds the gates gate-major, (4, T, N, H): cache.gates[k, t]
    is block k (i, f, o, g) of the packed (N, 4H) gates lstm_step_forward keeps at step t."""
    N, T, D, H = 2, 3, 2, 4
    p = params(xp, rng, "lstm", D, H)
    x = xp.asarray(rng.standard_normal((N, T, D)))
    h = c = xp.asarray(rng.standard_normal((N, H)))
    _, cache = rnnlib.lstm_forward(x, h, p["Wx"], p["Wh"], p["b"], c0=c)
    assert tuple(cache.gates.shape) == (4, T, N, H)
    for t in range(T):
        h, c, step = rnnlib.lstm_step_forward(x[:, t, :], h, c, p["Wx"], p["Wh"], p["b"])
        for k in range(4):
            np.testing.assert_allclose(to_np(cache.gates[k, t, ...]),
                                       to_np(step.gates[:, k * H:(k + 1) * H]), rtol=1e-12)


def test_by_gate_is_a_view_of_the_packed_blocks(xp):
    """The cell works on (4, N, H) views of a packed (N, 4H) array: writing into block k
    of the view writes into columns k*H to (k+1)*H of the packed array."""
    from rnnlib.lstm import _by_gate

    N, H = 2, 3
    packed = xp.reshape(xp.arange(N * 4 * H, dtype=xp.float64), (N, 4 * H))
    view = _by_gate(xp, packed)
    assert tuple(view.shape) == (4, N, H)
    np.testing.assert_array_equal(to_np(view[2, ...]), to_np(packed[:, 2 * H:3 * H]))
    view[1, ...] = -1.0
    got = to_np(packed)
    assert (got[:, H:2 * H] == -1).all() and (got[:, :H] >= 0).all() and (got[:, 2 * H:] >= 0).all()


def test_lstm_gate_order_is_i_f_o_g(xp):
    """Set one block of the bias at a time and watch which part of the cell moves."""
    N, D, H = 1, 1, 1
    x = xp.zeros((N, D), dtype=xp.float64)
    h_prev = xp.zeros((N, H), dtype=xp.float64)
    c_prev = xp.ones((N, H), dtype=xp.float64)
    W0 = xp.zeros((D, 4 * H), dtype=xp.float64)
    Wh0 = xp.zeros((H, 4 * H), dtype=xp.float64)
    big = 50.0
    # forget gate open, input gate shut: c = c_prev
    _, c, _ = rnnlib.lstm_step_forward(x, h_prev, c_prev, W0, Wh0, xp.asarray([-big, big, 0.0, 0.0]))
    assert abs(float(c[0, 0]) - 1.0) < 1e-12
    # forget shut, input open, candidate g = tanh(big) = 1: c = 1
    _, c, _ = rnnlib.lstm_step_forward(x, h_prev, c_prev, W0, Wh0, xp.asarray([big, -big, 0.0, big]))
    assert abs(float(c[0, 0]) - 1.0) < 1e-12
    # output gate shut: h = 0 whatever c is
    h, _, _ = rnnlib.lstm_step_forward(x, h_prev, c_prev, W0, Wh0, xp.asarray([0.0, big, -big, 0.0]))
    assert abs(float(h[0, 0])) < 1e-12


def test_gru_matches_the_cho_equations(rng):
    N, D, H = 3, 2, 4
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 3 * H)), rng.standard_normal((H, 3 * H)), rng.standard_normal(3 * H)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    z = sig(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    r = sig(x @ Wx[:, H:2 * H] + h_prev @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
    h, _ = rnnlib.gru_step_forward(x, h_prev, Wx, Wh, b)
    np.testing.assert_allclose(h, z * h_prev + (1 - z) * n, rtol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_functions_are_pure(rng, cell):
    N, T, D, H = 2, 3, 2, 3
    p = {k: np.asarray(v) for k, v in params(np, rng, cell, D, H).items()}
    x, h0, dh = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, T, H))
    before = [a.copy() for a in (x, h0, dh, *p.values())]
    forward, backward = SEQ[cell]
    _, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
    backward(dh, cache)
    backward(dh, cache)
    for a, b in zip((x, h0, dh, *p.values()), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_float32_stays_float32(xp, rng, cell):
    N, T, D, H = 2, 3, 2, 3
    p = {k: xp.astype(v, xp.float32) for k, v in params(xp, rng, cell, D, H).items()}
    x = xp.asarray(rng.standard_normal((N, T, D)), dtype=xp.float32)
    h0 = xp.zeros((N, H), dtype=xp.float32)
    forward, backward = SEQ[cell]
    h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
    grads = backward(xp.ones_like(h), cache)
    assert h.dtype == xp.float32
    assert all(g.dtype == xp.float32 for g in grads)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lstm_out_path_and_portable_path_agree_exactly(rng, dtype):
    """The LSTM writes into preallocated arrays with rnnlib.backend.into: NumPy through
    out=, array-api-strict (no out= in the standard) by copying from new arrays. Both
    give the same numbers, to the last bit, for the steps and the sequence, and leave
    their inputs as they were."""
    N, T, D, H = 3, 5, 4, 6

    def draw(*shape):
        return rng.standard_normal(shape).astype(dtype)

    x, h0, c0, dh = draw(N, T, D), draw(N, H), draw(N, H), draw(N, T, H)
    p = {"Wx": draw(D, 4 * H), "Wh": draw(H, 4 * H), "b": draw(4 * H)}
    dh1, dc1 = draw(N, H), draw(N, H)
    results = {}
    for xp in (np, array_api_strict):
        a = {k: xp.asarray(v) for k, v in dict(x=x, h0=h0, c0=c0, dh=dh, dh1=dh1, dc1=dc1, **p).items()}
        h, cache = rnnlib.lstm_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"], c0=a["c0"])
        grads = rnnlib.lstm_backward(a["dh"], cache)
        h1, c1, step_cache = rnnlib.lstm_step_forward(a["x"][:, 0, :], a["h0"], a["c0"],
                                                       a["Wx"], a["Wh"], a["b"])
        step_grads = rnnlib.lstm_step_backward(a["dh1"], a["dc1"], step_cache)
        results[xp.__name__] = [to_np(v) for v in (h, cache.c[-1], *grads, h1, c1, *step_grads)]
        for name, value in dict(x=x, h0=h0, c0=c0, dh=dh, dh1=dh1, dc1=dc1, **p).items():
            np.testing.assert_array_equal(to_np(a[name]), value, err_msg=f"{name} was changed")
    for ours, portable in zip(results["numpy"], results["array_api_strict"]):
        assert ours.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(ours, portable)
