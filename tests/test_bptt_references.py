"""The teaching references: bptt_t3, hidden_gradient_norms, the self-loop."""

import numpy as np
import pytest
from conftest import to_np

import rnnlib


def _t3_inputs(xp, rng, D=2, H=3, K=2):
    return dict(x=xp.asarray(rng.standard_normal((3, D))), s0=xp.asarray(rng.standard_normal(H)),
                d3=xp.asarray(rng.standard_normal(K)), Wx=xp.asarray(0.8 * rng.standard_normal((D, H))),
                Ws=xp.asarray(0.8 * rng.standard_normal((H, H))), Wy=xp.asarray(rng.standard_normal((H, K))))


def test_bptt_t3_terms_sum_and_match_rnn_backward(xp, rng):
    a = _t3_inputs(xp, rng)
    out = rnnlib.bptt_t3(**a)
    assert len(out["dWs_terms"]) == 3 and len(out["dWx_terms"]) == 3
    np.testing.assert_allclose(to_np(out["dWs"]), sum(to_np(t) for t in out["dWs_terms"]), rtol=1e-12)
    # the same network through rnn_forward / rnn_backward, N = 1, T = 3, b = 0
    H = a["Ws"].shape[0]
    x = xp.reshape(a["x"], (1, 3, a["x"].shape[1]))
    h, cache = rnnlib.rnn_forward(x, xp.reshape(a["s0"], (1, H)), a["Wx"], a["Ws"], xp.zeros(H, dtype=xp.float64))
    y3 = h[0, 2, :] @ a["Wy"]
    dh = np.zeros((1, 3, H))
    dh[0, 2] = to_np((y3 - a["d3"]) @ a["Wy"].T)
    _, _, dWx, dWh, _ = rnnlib.rnn_backward(xp.asarray(dh), cache)
    assert rnnlib.rel_error(out["dWs"], dWh) < 1e-12
    assert rnnlib.rel_error(out["dWx"], dWx) < 1e-12


@pytest.mark.parametrize("key", ["Wy", "Ws", "Wx"])
def test_bptt_t3_matches_finite_differences(xp, rng, key):
    a = _t3_inputs(xp, rng)
    out = rnnlib.bptt_t3(**a)

    def energy(w):
        return xp.asarray(rnnlib.bptt_t3(**{**a, key: w})["E3"], dtype=xp.float64)

    num = rnnlib.numerical_gradient(energy, a[key], xp.asarray(1.0, dtype=xp.float64))
    assert rnnlib.rel_error(out["d" + key], num) < 1e-7


def test_bptt_t3_last_term_is_the_only_one_without_recurrence(rng):
    a = _t3_inputs(np, rng)
    a["Ws"] = np.zeros_like(a["Ws"])  # no recurrence: only the path through s3 survives
    out = rnnlib.bptt_t3(**a)
    assert np.abs(out["dWx_terms"][1]).max() == 0 and np.abs(out["dWx_terms"][2]).max() == 0
    np.testing.assert_allclose(out["dWx"], out["dWx_terms"][0])


def test_hidden_gradient_norms_match_finite_difference_jacobians(rng):
    T, D, H = 6, 2, 3
    Wx, Wh, b = rng.standard_normal((D, H)), 0.9 * rng.standard_normal((H, H)), rng.standard_normal(H)
    x = rng.standard_normal((1, T, D))
    h, _ = rnnlib.rnn_forward(x, np.zeros((1, H)), Wx, Wh, b)
    norms = to_np(rnnlib.hidden_gradient_norms(Wh, h[0]))
    for t in range(T):
        # run from h_t to h_T and differentiate numerically
        def run_from(ht, t=t):
            state = ht[None, :]
            for k in range(t + 1, T):
                state, _ = rnnlib.rnn_step_forward(x[:, k], state, Wx, Wh, b)
            return state[0]

        J = np.zeros((H, H))
        for i in range(H):
            e = np.zeros(H)
            e[i] = 1e-6
            J[i] = (run_from(h[0, t] + e) - run_from(h[0, t] - e)) / 2e-6
        assert abs(norms[t] - np.linalg.norm(J, 2)) < 1e-6 * max(1, norms[t])
    assert norms[-1] == 1.0


def test_hidden_gradient_norms_on_strict_and_activation_names(xp, rng):
    Wh = xp.asarray(0.5 * np.eye(3))
    h = xp.asarray(np.zeros((5, 3)))
    norms = to_np(rnnlib.hidden_gradient_norms(Wh, h, "identity"))
    np.testing.assert_allclose(norms, 0.5 ** np.arange(4, -1, -1), rtol=1e-12)
    sig = to_np(rnnlib.hidden_gradient_norms(xp.asarray(np.eye(3)), xp.asarray(np.full((5, 3), 0.5)), "sigmoid"))
    np.testing.assert_allclose(sig, 0.25 ** np.arange(4, -1, -1), rtol=1e-12)
    with pytest.raises(ValueError, match="activation: expected one of"):
        rnnlib.hidden_gradient_norms(Wh, h, "relu")


def test_carousel_keeps_the_error_constant_and_tanh_loses_it(xp, rng):
    x = xp.asarray(0.1 * rng.standard_normal(100))
    y = rnnlib.self_loop_forward(x, 1.0, "identity")
    np.testing.assert_allclose(to_np(y), np.cumsum(to_np(x)), rtol=1e-10)
    flow = to_np(rnnlib.self_loop_error_flow(y, 1.0, "identity"))
    np.testing.assert_array_equal(flow, np.ones(100))
    y_tanh = rnnlib.self_loop_forward(x, 1.0, "tanh")
    flow_tanh = to_np(rnnlib.self_loop_error_flow(y_tanh, 1.0, "tanh"))
    expected = np.ones(100)
    yt = to_np(y_tanh)
    for t in range(98, -1, -1):
        expected[t] = expected[t + 1] * (1 - yt[t + 1] ** 2)
    np.testing.assert_allclose(flow_tanh, expected, rtol=1e-12)
    assert flow_tanh[0] < flow[0]
