"""Affine, temporal affine, embedding, cross-entropy and MSE."""

import numpy as np
import pytest
from conftest import to_np

import rnnlib


def test_affine_gradcheck(xp, rng):
    inputs = {"x": xp.asarray(rng.standard_normal((3, 4))), "W": xp.asarray(rng.standard_normal((4, 5))),
              "b": xp.asarray(rng.standard_normal(5))}
    rnnlib.gradcheck(rnnlib.affine_forward, rnnlib.affine_backward, inputs)


@pytest.mark.parametrize("N,T,H,V", [(2, 3, 4, 5), (1, 1, 1, 1)])
def test_temporal_affine_gradcheck_and_equals_per_step(xp, rng, N, T, H, V):
    inputs = {"h": xp.asarray(rng.standard_normal((N, T, H))), "W": xp.asarray(rng.standard_normal((H, V))),
              "b": xp.asarray(rng.standard_normal(V))}
    rnnlib.gradcheck(rnnlib.temporal_affine_forward, rnnlib.temporal_affine_backward, inputs)
    out, _ = rnnlib.temporal_affine_forward(**inputs)
    for t in range(T):
        step, _ = rnnlib.affine_forward(inputs["h"][:, t, :], inputs["W"], inputs["b"])
        np.testing.assert_allclose(to_np(out)[:, t], to_np(step), rtol=1e-12)


def test_embedding_forward_and_backward(xp, rng):
    idx = xp.asarray(np.array([[0, 2, 2], [1, 0, 3]]))
    W = xp.asarray(rng.standard_normal((4, 3)))
    out, cache = rnnlib.embedding_forward(idx, W)
    assert tuple(out.shape) == (2, 3, 3)
    np.testing.assert_allclose(to_np(out)[0, 1], to_np(W)[2])
    dout = xp.asarray(rng.standard_normal((2, 3, 3)))
    dW = to_np(rnnlib.embedding_backward(dout, cache))
    d = to_np(dout)
    np.testing.assert_allclose(dW[2], d[0, 1] + d[0, 2], rtol=1e-12)  # repeated token adds up
    np.testing.assert_allclose(dW[0], d[0, 0] + d[1, 1], rtol=1e-12)
    f = lambda w: rnnlib.embedding_forward(idx, w)[0]  # noqa: E731
    num = rnnlib.numerical_gradient(f, W, dout)
    assert rnnlib.rel_error(rnnlib.embedding_backward(dout, cache), num) < 1e-7


def test_embedding_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match=r"idx: expected token ids in \[0, 4\)"):
        rnnlib.embedding_forward(np.array([[0, 4]]), np.zeros((4, 2)))


def _ce_gradcheck(xp, scores, y, mask=None):
    f = lambda s: xp.asarray(rnnlib.softmax_cross_entropy(s, y, mask)[0], dtype=xp.float64)  # noqa: E731
    _, dscores = rnnlib.softmax_cross_entropy(scores, y, mask)
    num = rnnlib.numerical_gradient(f, scores, xp.asarray(1.0, dtype=xp.float64))
    assert rnnlib.rel_error(dscores, num) < 1e-7


def test_cross_entropy_2d_value_and_gradient(xp, rng):
    scores = xp.asarray(rng.standard_normal((4, 5)))
    y = xp.asarray(np.array([0, 3, 4, 1]))
    loss, _ = rnnlib.softmax_cross_entropy(scores, y)
    s = to_np(scores)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    assert abs(loss - np.mean(-np.log(p[np.arange(4), [0, 3, 4, 1]]))) < 1e-12
    _ce_gradcheck(xp, scores, y)


def test_cross_entropy_3d_is_mean_over_examples_of_summed_masked_steps(xp, rng):
    N, T, V = 3, 4, 5
    scores = xp.asarray(rng.standard_normal((N, T, V)))
    y_np = rng.integers(0, V, size=(N, T))
    mask_np = rng.random((N, T)) > 0.4
    y, mask = xp.asarray(y_np), xp.asarray(mask_np)
    loss, _ = rnnlib.softmax_cross_entropy(scores, y, mask)
    s = to_np(scores)
    logp = s - np.log(np.exp(s).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(logp, y_np[..., None], axis=2)[..., 0]
    assert abs(loss - (-(picked * mask_np).sum() / N)) < 1e-12
    _ce_gradcheck(xp, scores, y, mask)


def test_cross_entropy_is_stable_for_huge_scores(xp):
    scores = xp.asarray(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4 - 1.0]]))
    y = xp.asarray(np.array([0, 2]))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dscores = rnnlib.softmax_cross_entropy(scores, y)
    expected = np.log1p(np.exp(1.0)) / 2  # row 1 costs 0; row 2 is a softmax over (1, 0)
    assert np.isfinite(loss) and abs(loss - expected) < 1e-12
    assert np.all(np.isfinite(to_np(dscores)))


def test_cross_entropy_errors_name_the_argument():
    with pytest.raises(TypeError, match="targets: expected an integer array"):
        rnnlib.softmax_cross_entropy(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"targets: expected labels in \[0, 3\)"):
        rnnlib.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="mask"):
        rnnlib.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), mask=np.ones(2))


def test_mse_value_and_gradient(xp, rng):
    pred = xp.asarray(rng.standard_normal((2, 3, 4)))
    target = xp.asarray(rng.standard_normal((2, 3, 4)))
    loss, dpred = rnnlib.mse_loss(pred, target)
    assert abs(loss - np.mean((to_np(pred) - to_np(target)) ** 2)) < 1e-12
    f = lambda p: xp.asarray(rnnlib.mse_loss(p, target)[0], dtype=xp.float64)  # noqa: E731
    num = rnnlib.numerical_gradient(f, pred, xp.asarray(1.0, dtype=xp.float64))
    assert rnnlib.rel_error(dpred, num) < 1e-7


def test_mse_shape_mismatch_names_target():
    with pytest.raises(ValueError, match=r"target: expected shape .* got shape \(2, 4\)"):
        rnnlib.mse_loss(np.zeros((2, 3)), np.zeros((2, 4)))
