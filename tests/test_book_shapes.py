"""What chapter 1 and the preface promise about rnnlib, checked on every backend.

The book's build checks these claims on NumPy only; here they run through the `xp`
fixture (NumPy, array-api-strict, CuPy where present): the shapes of the four
input/output patterns, a one-step RNN being a feed-forward network, the state
carrying the first input to the end, and parameter counts that do not depend on T.
"""

import math

import pytest
from conftest import to_np

import rnnlib

N, T, D, H, V = 2, 6, 3, 5, 4


def arrays(xp, rng, **shapes):
    return {name: xp.asarray(0.7 * rng.standard_normal(shape)) for name, shape in shapes.items()}


@pytest.fixture
def model(xp, rng):
    return arrays(xp, rng, Wx=(D, H), Wh=(H, H), b=(H,), Wy=(H, V), by=(V,))


def run(xp, p, x, h0=None):
    """x (N, T, D) -> (h (N, T, H), y (N, T, V)) through rnn_forward and the readout."""
    if h0 is None:
        h0 = xp.zeros((x.shape[0], p["Wh"].shape[0]), dtype=x.dtype)
    h, _ = rnnlib.rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    y, _ = rnnlib.temporal_affine_forward(h, p["Wy"], p["by"])
    return h, y


def test_one_to_one_is_a_feed_forward_layer_and_ignores_Wh(xp, rng, model):
    x = xp.asarray(rng.standard_normal((N, 1, D)))
    _, y = run(xp, model, x)
    assert tuple(y.shape) == (N, 1, V)
    a, _ = rnnlib.affine_forward(x[:, 0, :], model["Wx"], model["b"])
    y_ff, _ = rnnlib.affine_forward(xp.tanh(a), model["Wy"], model["by"])
    assert float(abs(to_np(y[:, 0, :]) - to_np(y_ff)).max()) < 1e-12
    _, y_big_Wh = run(xp, {**model, "Wh": 5.0 * model["Wh"]}, x)
    assert float(abs(to_np(y_big_Wh) - to_np(y)).max()) == 0.0


def test_one_to_many_many_to_one_and_synchronised_shapes(xp, rng, model):
    single = xp.asarray(rng.standard_normal((N, D)))
    padded = xp.concat([single[:, None, :], xp.zeros((N, T - 1, D), dtype=single.dtype)], axis=1)
    _, y = run(xp, model, padded)
    assert tuple(y.shape) == (N, T, V)  # one-to-many: a whole sequence from one input
    assert float(abs(to_np(y[:, -1, :]) - to_np(y[:, -2, :])).max()) > 0

    x = xp.asarray(rng.standard_normal((N, T, D)))
    h, y = run(xp, model, x)
    assert tuple(y.shape) == (N, T, V)  # synchronised many-to-many
    last, _ = rnnlib.affine_forward(h[:, -1, :], model["Wy"], model["by"])
    assert tuple(last.shape) == (N, V)  # many-to-one reads only h_T
    assert float(abs(to_np(last) - to_np(y[:, -1, :])).max()) < 1e-12


def test_encoder_decoder_lengths_differ(xp, rng, model):
    T_src, T_tgt, D_tgt = 7, 4, 2
    dec = {**model, **arrays(xp, rng, Wx=(D_tgt, H))}
    h_enc, _ = run(xp, model, xp.asarray(rng.standard_normal((N, T_src, D))))
    _, y = run(xp, dec, xp.asarray(rng.standard_normal((N, T_tgt, D_tgt))), h0=h_enc[:, -1, :])
    assert tuple(y.shape) == (N, T_tgt, V)


def test_state_carries_a_change_at_step_0_to_the_end(xp, rng, model):
    x = rng.standard_normal((N, T, D))
    changed = x.copy()
    changed[:, 0, :] += 0.5
    h, _ = run(xp, model, xp.asarray(x))
    h2, _ = run(xp, model, xp.asarray(changed))
    gap = abs(to_np(h2) - to_np(h)).max(axis=(0, 2))  # (T,)
    assert (gap > 0).all()


@pytest.mark.parametrize("cell,k", [("rnn", 1), ("lstm", 4), ("gru", 3)])
@pytest.mark.parametrize("Dm,Hm,Vm", [(10, 50, 10), (1, 3, 2)])
def test_parameter_count_is_independent_of_T(cell, k, Dm, Hm, Vm):
    params = rnnlib.init_model(cell, Dm, Hm, Vm)
    count = sum(math.prod(a.shape) for a in params.values())
    assert count == k * (Dm * Hm + Hm * Hm + Hm) + Hm * Vm + Vm
