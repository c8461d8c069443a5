"""Clipping, SGD and Adam."""

import math

import numpy as np
import pytest
from conftest import to_np

import rnnlib


def _grads(xp, rng, scale=10.0):
    return {"Wx": xp.asarray(scale * rng.standard_normal((3, 4))),
            "Wh": xp.asarray(scale * rng.standard_normal((4, 4))),
            "b": xp.asarray(scale * rng.standard_normal(4))}


def _flat(grads):
    return np.concatenate([to_np(g).ravel() for g in grads.values()])


@pytest.mark.parametrize("max_norm", [0.5, 5.0, 1e6])
def test_clip_grad_norm_keeps_direction_and_never_lengthens(xp, rng, max_norm):
    grads = _grads(xp, rng)
    clipped, norm = rnnlib.clip_grad_norm(grads, max_norm)
    g, c = _flat(grads), _flat(clipped)
    assert abs(norm - np.linalg.norm(g)) < 1e-9 * norm
    assert np.linalg.norm(c) <= min(norm, max_norm) * (1 + 1e-12)
    cosine = g @ c / (np.linalg.norm(g) * np.linalg.norm(c))
    assert abs(cosine - 1.0) < 1e-12
    if norm > max_norm:
        assert abs(np.linalg.norm(c) - max_norm) < 1e-9
    else:
        np.testing.assert_array_equal(c, g)
    assert set(clipped) == set(grads) and clipped is not grads


def test_clip_grad_value_bounds_elements_and_never_lengthens(xp, rng):
    grads = _grads(xp, rng)
    clipped = rnnlib.clip_grad_value(grads, 3.0)
    g, c = _flat(grads), _flat(clipped)
    assert np.max(np.abs(c)) <= 3.0
    assert np.linalg.norm(c) <= np.linalg.norm(g)
    np.testing.assert_array_equal(c, np.clip(g, -3, 3))
    assert np.max(np.abs(_flat(grads))) > 3.0  # the input is untouched


def test_clipping_rejects_bad_arguments(rng):
    with pytest.raises(ValueError, match="max_norm"):
        rnnlib.clip_grad_norm({"W": np.ones(2)}, 0.0)
    with pytest.raises(ValueError, match="limit"):
        rnnlib.clip_grad_value({"W": np.ones(2)}, -1.0)
    with pytest.raises(TypeError, match="grads: expected a dict"):
        rnnlib.clip_grad_norm([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match=r"grads\['W'\]: expected a floating-point array"):
        rnnlib.clip_grad_value({"W": np.ones(2, dtype=int)}, 1.0)


def test_sgd_step_and_momentum(xp):
    params = {"w": xp.asarray(np.array([1.0, -2.0]))}
    grads = {"w": xp.asarray(np.array([0.5, 0.5]))}
    new = rnnlib.SGD(lr=0.1).step(params, grads)
    np.testing.assert_allclose(to_np(new["w"]), [0.95, -2.05])
    np.testing.assert_allclose(to_np(params["w"]), [1.0, -2.0])  # not changed in place
    opt = rnnlib.SGD(lr=0.1, momentum=0.9)
    p1 = opt.step(params, grads)
    p2 = opt.step(p1, grads)
    np.testing.assert_allclose(to_np(p2["w"]), to_np(p1["w"]) - 0.1 * (0.9 * 0.5 + 0.5))


def test_adam_first_step_moves_each_weight_by_lr(xp):
    params = {"w": xp.asarray(np.array([1.0, -2.0, 3.0]))}
    grads = {"w": xp.asarray(np.array([1e-3, -5.0, 100.0]))}
    new = rnnlib.Adam(lr=0.01).step(params, grads)
    np.testing.assert_allclose(to_np(new["w"]) - to_np(params["w"]), [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adam_minimises_a_quadratic(xp):
    target = np.array([3.0, -1.0])
    params = {"w": xp.asarray(np.zeros(2))}
    opt = rnnlib.Adam(lr=0.1)
    for _ in range(500):
        params = opt.step(params, {"w": 2 * (params["w"] - xp.asarray(target))})
    np.testing.assert_allclose(to_np(params["w"]), target, atol=1e-3)


def test_global_norm(xp, rng):
    grads = _grads(xp, rng, 1.0)
    assert math.isclose(rnnlib.global_norm(grads), np.linalg.norm(_flat(grads)), rel_tol=1e-12)


def test_clip_grad_norm_leaves_non_finite_gradients_alone():
    grads = {"W": np.array([np.inf, 1.0]), "b": np.array([np.nan])}
    clipped, norm = rnnlib.clip_grad_norm(grads, 1.0)
    assert not math.isfinite(norm)
    np.testing.assert_array_equal(clipped["W"], grads["W"])
    assert clipped["W"] is not grads["W"]
