"""The chapter 5 plots: the right curves, on a log axis, with the right data."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.plots.carousel import FLOOR, error_flow, plot_error_flow, plot_error_flows  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_error_flow_draws_carousel_and_loop_on_log_axis():
    fig = plot_error_flow(w=1.0, activation="tanh", T=50, seed=0)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert len(lines) == 2, "expected the carousel and one loop"
    carousel, loop = lines
    assert "carousel" in carousel.get_label()
    assert "tanh" in loop.get_label() and "w = 1" in loop.get_label()
    # x axis: steps back, from T - 1 down to 0
    np.testing.assert_array_equal(carousel.get_xdata(), np.arange(50)[::-1])
    # the carousel passes the error back unchanged
    np.testing.assert_array_equal(carousel.get_ydata(), np.ones(50))
    # a tanh loop driven by nonzero inputs loses error: 49 steps back it is far below 1
    assert loop.get_ydata()[0] < 1e-5
    assert loop.get_ydata()[-1] == 1.0


def test_loop_curve_is_the_reference_error_flow():
    T, seed, w = 30, 3, 0.9
    x = rnnlib.random_array((T,), seed=seed, scale=0.5)
    expected = rnnlib.self_loop_error_flow(rnnlib.self_loop_forward(x, w, "sigmoid"), w, "sigmoid")
    np.testing.assert_allclose(error_flow(w, "sigmoid", T, seed), rnnlib.to_numpy(expected))
    loop = plot_error_flow(w=w, activation="sigmoid", T=T, seed=seed).axes[0].get_lines()[1]
    np.testing.assert_allclose(loop.get_ydata(), np.maximum(rnnlib.to_numpy(expected), FLOOR))


def test_identity_loop_with_w_not_one_is_a_geometric_sequence():
    flow = error_flow(1.1, "identity", T=21, seed=0)
    np.testing.assert_allclose(flow, 1.1 ** np.arange(21)[::-1])


def test_underflow_is_drawn_at_the_floor_and_ax_is_reused():
    fig, ax = plt.subplots()
    out = plot_error_flows({"carousel": np.ones(5), "dead": np.array([0.0, 0.0, 1e-3, 0.5, 1.0])}, ax=ax)
    assert out is fig
    dead = ax.get_lines()[1]
    assert dead.get_ydata().min() == FLOOR
    assert ax.get_ylim()[0] >= FLOOR


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError):
        plot_error_flow(activation="relu")
    with pytest.raises(ValueError):
        error_flow(T=0)
    with pytest.raises(ValueError):
        plot_error_flows({"matrix": np.ones((3, 3))})
