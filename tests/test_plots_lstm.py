"""The chapter 6 plots: the gates that lstm_gates unpacks, and the stack plot_gates draws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.plots.lstm import (INPUT_NAMES, PANELS, SEQUENCES, demo_params,  # noqa: E402
                               demo_sequence, lstm_gates, plot_gates)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _random_lstm(D=3, H=2, seed=0):
    params = rnnlib.init_recurrent("lstm", D, H, seed=seed)
    return {k: rnnlib.to_numpy(v) for k, v in params.items()}


def test_lstm_gates_match_the_cell_equations_and_lstm_forward(xp):
    N, T, D, H = 2, 6, 3, 4
    params_np = _random_lstm(D, H, seed=1)
    x_np = rnnlib.to_numpy(rnnlib.random_array((N, T, D), seed=2))
    params = {k: xp.asarray(v) for k, v in params_np.items()}
    s = lstm_gates(xp.asarray(x_np), params)
    assert set(s) == {"i", "f", "o", "g", "c", "h"}
    for key, value in s.items():
        assert isinstance(value, np.ndarray) and value.shape == (N, T, H), key
    c_prev = np.concatenate([np.zeros((N, 1, H)), s["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(s["c"], s["f"] * c_prev + s["i"] * s["g"], atol=1e-12)
    np.testing.assert_allclose(s["h"], s["o"] * np.tanh(s["c"]), atol=1e-12)
    assert np.all((s["i"] > 0) & (s["i"] < 1)) and np.all(np.abs(s["g"]) < 1)
    h_seq, _ = rnnlib.lstm_forward(x_np, np.zeros((N, H)), params_np["Wx"], params_np["Wh"],
                                   params_np["b"])
    np.testing.assert_allclose(s["h"], h_seq, atol=1e-12)


def test_lstm_gates_of_a_single_sequence_drop_the_batch_axis():
    params = _random_lstm(3, 2)
    x = rnnlib.to_numpy(rnnlib.random_array((5, 3), seed=3))
    single = lstm_gates(x, params)
    batch = lstm_gates(x[None], params)
    for key in single:
        assert single[key].shape == (5, 2)
        np.testing.assert_array_equal(single[key], batch[key][0])


def test_plot_gates_draws_input_and_six_panels_with_the_data():
    x, params = demo_sequence("store then hold"), demo_params()
    fig = plot_gates(x, params)
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = fig.axes
    assert len(axes) == 1 + len(PANELS) == 7
    assert [line.get_label() for line in axes[0].get_lines()] == list(INPUT_NAMES)
    s = lstm_gates(x, params)
    for ax, (key, _) in zip(axes[1:], PANELS):
        lines = ax.get_lines()
        assert len(lines) == 1, f"panel {key}: expected one line for H = 1"
        np.testing.assert_allclose(lines[0].get_ydata(), s[key][:, 0])
        np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, 31))
    assert axes[-1].get_xlabel() == "step t"


def test_plot_gates_draws_one_line_per_unit():
    params = _random_lstm(3, 2)
    x = rnnlib.to_numpy(rnnlib.random_array((1, 8, 3), seed=4))
    fig = plot_gates(x, params)
    assert [len(ax.get_lines()) for ax in fig.axes] == [3, 2, 2, 2, 2, 2, 2]
    assert fig.axes[0].get_lines()[0].get_label() == "x[0]"


def test_plot_gates_into_given_axes_and_rejects_bad_shapes():
    fig, axes = plt.subplots(7, 1)
    assert plot_gates(demo_sequence("noise"), demo_params(), axes=axes) is fig
    with pytest.raises(ValueError):
        plot_gates(demo_sequence("noise"), demo_params(), axes=axes[:3])
    with pytest.raises(ValueError):
        plot_gates(np.zeros((2, 30, 4)), demo_params())


def test_demo_memory_stores_holds_forgets_and_reads():
    s = lstm_gates(demo_sequence("store then hold"), demo_params())
    c, h = s["c"][:, 0], s["h"][:, 0]
    stored = np.tanh(2 * 0.8)  # the candidate at the write step
    assert abs(c[3] - stored) < 0.01, "the write step should replace the memory by g"
    assert abs(c[-1] - stored) < 0.05, "the memory should hold to the end"
    assert np.all(np.abs(h[:-3]) < 0.01), "nothing should be shown before the read"
    assert abs(h[-1] - np.tanh(c[-1])) < 0.01, "the read should show tanh(c)"

    s = lstm_gates(demo_sequence("store, forget, store"), demo_params())
    c = s["c"][:, 0]
    assert abs(c[11] - stored) < 0.05 and abs(c[12]) < 0.01, "the forget flag should erase"
    assert abs(c[-1] - np.tanh(2 * -0.6)) < 0.05

    s = lstm_gates(demo_sequence("overwrite"), demo_params())
    assert abs(s["c"][15, 0] - np.tanh(2 * -0.6)) < 0.01, "a write should overwrite"

    # a lower forget bias makes the memory leak: sigmoid(2)**26 of it is left at the end
    leaky = lstm_gates(demo_sequence("store then hold"), demo_params(forget_bias=2.0))
    assert abs(leaky["c"][-1, 0]) < 0.05 * stored


def test_demo_sequences_are_seeded_and_checked():
    for name in SEQUENCES:
        x = rnnlib.to_numpy(demo_sequence(name))
        assert x.shape == (30, 4)
        assert set(np.unique(x[:, 1:])) <= {0.0, 1.0}
        np.testing.assert_array_equal(x, rnnlib.to_numpy(demo_sequence(name)))
    assert rnnlib.to_numpy(demo_sequence("noise"))[:, 1:].sum() > 0
    assert not np.array_equal(rnnlib.to_numpy(demo_sequence("noise", seed=1)),
                              rnnlib.to_numpy(demo_sequence("noise", seed=0)))
    with pytest.raises(ValueError):
        demo_sequence("hold forever")
    with pytest.raises(ValueError):
        demo_sequence("noise", T=10)
