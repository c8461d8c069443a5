"""Shipped data sets, the model helpers and truncated BPTT training."""

import numpy as np
import pytest
from conftest import to_np

import rnnlib
from rnnlib import data


def test_adding_problem_targets_are_the_marked_sums():
    x, y = data.adding_problem(16, 20, seed=3)
    x, y = to_np(x), to_np(y)
    assert x.shape == (16, 20, 2) and y.shape == (16, 1)
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    assert np.all(x[:, :10, 1].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1))
    x2, _ = data.adding_problem(16, 20, seed=3)
    np.testing.assert_array_equal(x, to_np(x2))


def test_recall_task_layout():
    x, y, mask = (to_np(a) for a in data.recall_task(8, delay=5, n_symbols=3, seed=1))
    assert x.shape == (8, 7, 4) and y.shape == (8, 7) and mask.shape == (8, 7)
    assert mask[:, -1].all() and not mask[:, :-1].any()
    np.testing.assert_array_equal(x[:, 0, :3].argmax(axis=1), y[:, -1])
    assert np.all(x[:, 1:-1] == 0) and np.all(x[:, -1, 3] == 1)


def test_noisy_sine_is_shifted_by_one_step():
    x, y = (to_np(a) for a in data.noisy_sine(4, 30, noise=0.1, seed=2))
    assert x.shape == y.shape == (4, 30, 1)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


def test_corpus_ships_and_round_trips():
    text = data.load_corpus()
    assert len(text) > 20000 and not text.startswith("#")
    assert text.isascii()
    vocab = data.CharVocab(text)
    assert vocab.decode(vocab.encode(text[:500])) == text[:500]
    x, y = data.char_streams(text, vocab, 8)
    x, y = to_np(x), to_np(y)
    assert x.shape == y.shape and x.shape[0] == 8
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    with pytest.raises(ValueError, match="text: characters not in the vocabulary"):
        vocab.encode("\u00e9")


def test_task_arguments_are_validated():
    with pytest.raises(ValueError, match="N: expected a positive integer"):
        data.adding_problem(0, 10)
    with pytest.raises(ValueError, match="delay"):
        data.recall_task(4, delay=-1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_model_loss_gradients_match_finite_differences(cell):
    rng = np.random.default_rng(0)
    params = rnnlib.init_model(cell, 3, 4, 5, seed=1, vocab=6)
    ids = rng.integers(0, 6, size=(2, 4))
    y = rng.integers(0, 5, size=(2, 4))
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool)
    loss, grads, _ = rnnlib.model_loss(params, cell, ids, y, mask=mask, first=1)
    for name, value in params.items():
        f = lambda w, name=name: np.asarray(rnnlib.model_loss({**params, name: w}, cell, ids, y, mask=mask, first=1)[0])  # noqa: E731
        num = rnnlib.numerical_gradient(f, value, np.asarray(1.0))
        assert rnnlib.rel_error(grads[name], num) < 1e-7, name


def test_model_loss_many_to_one_mse():
    x, y = data.adding_problem(3, 6, seed=0)
    params = rnnlib.init_model("gru", 2, 4, 1, seed=0)
    loss, grads, state = rnnlib.model_loss(params, "gru", x, y, loss="mse")
    scores, _ = rnnlib.predict(params, "gru", x)
    assert abs(loss - np.mean((to_np(scores)[:, -1] - to_np(y)) ** 2)) < 1e-12
    f = lambda w: np.asarray(rnnlib.model_loss({**params, "Wh": w}, "gru", x, y, loss="mse")[0])  # noqa: E731
    assert rnnlib.rel_error(grads["Wh"], rnnlib.numerical_gradient(f, params["Wh"], np.asarray(1.0))) < 1e-7


def test_truncated_bptt_cuts_the_gradient_and_carries_the_state():
    """With k1 = k2 = 2 the loss at step 3 sends no gradient to the input at step 0."""
    x, y, mask = data.recall_task(4, delay=2, n_symbols=3, seed=0)  # T = 4
    params = rnnlib.init_model("rnn", 4, 5, 3, seed=0)
    # full BPTT: the symbol at step 0 influences the loss at step 3
    _, grads, _ = rnnlib.model_loss(params, "rnn", x, y, mask=mask)
    h, _, caches = rnnlib.model.run_cell(params, "rnn", x)
    # the second window [2, 4) starts from the carried state after step 1
    _, grads_cut, _ = rnnlib.model_loss(params, "rnn", x[:, 2:], y[:, 2:], state=h[:, 1], mask=mask[:, 2:])
    assert not np.allclose(grads["Wx"][0], 0)  # row 0 of Wx reads symbol 0
    np.testing.assert_allclose(grads_cut["Wx"][0], 0, atol=0)  # not seen inside the window
    # and the forward value is the same: the state is carried exactly
    loss_full = rnnlib.model_loss(params, "rnn", x, y, mask=mask)[0]
    loss_cut = rnnlib.model_loss(params, "rnn", x[:, 2:], y[:, 2:], state=h[:, 1], mask=mask[:, 2:])[0]
    assert abs(loss_full - loss_cut) < 1e-12


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_fit_learns_a_short_recall_task(cell):
    x, y, mask = data.recall_task(64, delay=2, n_symbols=3, seed=0)
    params = rnnlib.init_model(cell, 4, 8, 3, seed=0)
    params, history = rnnlib.fit(params, cell, x, y, mask=mask, epochs=60, batch_size=32,
                                 optimizer=rnnlib.Adam(lr=0.05), clip=5.0, progress=False)
    assert history["loss"][-1] < 0.25 * history["loss"][0]
    assert len(history["loss"]) == 120 and len(history["grad_norm"]) == 120


def test_fit_with_overlapping_windows_counts_updates():
    x, y = data.noisy_sine(4, 20, seed=0)
    params = rnnlib.init_model("lstm", 1, 4, 1, seed=0)
    _, history = rnnlib.fit(params, "lstm", x, y, loss="mse", k1=5, k2=10, epochs=2,
                            clip=1.0, clip_mode="value", progress=False)
    assert len(history["loss"]) == 2 * 4  # four windows of 5 new steps each
    with pytest.raises(ValueError, match="k2: expected an integer >= k1"):
        rnnlib.fit(params, "lstm", x, y, loss="mse", k1=5, k2=3, progress=False)


def test_init_recurrent_is_seeded_and_sets_the_forget_bias():
    a = rnnlib.init_recurrent("lstm", 3, 4, seed=7)
    b = rnnlib.init_recurrent("lstm", 3, 4, seed=7)
    np.testing.assert_array_equal(a["Wh"], b["Wh"])
    np.testing.assert_array_equal(a["b"], [0] * 4 + [1] * 4 + [0] * 8)
    assert rnnlib.init_recurrent("gru", 3, 4, dtype="float32")["Wx"].dtype == np.float32
    with pytest.raises(ValueError, match="cell: expected one of"):
        rnnlib.init_recurrent("transformer", 3, 4)


def test_gradcheck_names_the_wrong_gradient():
    def bad_backward(dh, cache):
        dx, dh_prev, dWx, dWh, db = rnnlib.rnn_step_backward(dh, cache)
        return dx, dh_prev, dWx, -dWh, db

    rng = np.random.default_rng(0)
    inputs = dict(x=rng.standard_normal((2, 3)), h_prev=rng.standard_normal((2, 4)),
                  Wx=rng.standard_normal((3, 4)), Wh=rng.standard_normal((4, 4)), b=rng.standard_normal(4))
    with pytest.raises(rnnlib.GradcheckError, match="^dWh is wrong"):
        rnnlib.gradcheck(rnnlib.rnn_step_forward, bad_backward, inputs)


def test_numerical_gradient_leaves_its_input_alone(xp):
    x = xp.asarray(np.array([1.0, 2.0, 3.0]))
    g = rnnlib.numerical_gradient(lambda v: v * v, x, xp.ones_like(x))
    np.testing.assert_allclose(to_np(g), [2.0, 4.0, 6.0], rtol=1e-8)
    np.testing.assert_array_equal(to_np(x), [1.0, 2.0, 3.0])
