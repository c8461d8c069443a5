"""The chapter 4 plots: matrices with the asked-for spectral radius, the measured norms,
the horizon, and figures that draw exactly those numbers on a log axis."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.plots.gradients import (FLOOR, RADII, gradient_horizon, gradient_norms,  # noqa: E402
                                    plot_gradient_norms, plot_sigmoid_iterates,
                                    recurrent_matrix, run_states, sigmoid_fixed_point,
                                    sigmoid_iterates, spectral_radius_of)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal", "identity"])
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.7])
def test_recurrent_matrix_has_the_requested_spectral_radius(kind, radius):
    W = rnnlib.to_numpy(recurrent_matrix(16, radius, seed=3, kind=kind))
    assert W.shape == (16, 16)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(radius, rel=1e-10)
    assert spectral_radius_of(W) == pytest.approx(radius, rel=1e-10)


def test_orthogonal_matrix_has_all_singular_values_equal_to_the_radius():
    W = rnnlib.to_numpy(recurrent_matrix(12, 0.8, seed=1, kind="orthogonal"))
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.8, rtol=1e-12)


def test_gaussian_matrix_is_seeded_and_not_normal():
    a = rnnlib.to_numpy(recurrent_matrix(10, 1.0, seed=4))
    b = rnnlib.to_numpy(recurrent_matrix(10, 1.0, seed=4))
    c = rnnlib.to_numpy(recurrent_matrix(10, 1.0, seed=5))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # a random Gaussian matrix stretches more than its radius: sigma_max > rho
    assert np.linalg.norm(a, 2) > 1.2


def test_run_states_shapes_and_ranges():
    Wh = recurrent_matrix(8, 0.9, seed=0)
    for activation in ("tanh", "sigmoid", "identity"):
        h = rnnlib.to_numpy(run_states(Wh, 15, activation, D=3, seed=2))
        assert h.shape == (15, 8)
    s = rnnlib.to_numpy(run_states(Wh, 15, "sigmoid", D=3, seed=2))
    assert np.all((s > 0) & (s < 1))
    t = rnnlib.to_numpy(run_states(Wh, 15, "tanh", D=3, seed=2))
    assert np.all(np.abs(t) < 1)


def test_run_states_follows_the_recurrence():
    # With Wh = 0 every state is phi(x_t Wx + b) alone; the tanh and identity runs of the
    # same seed see the same x Wx, so tanh of one is the other.
    Wh = recurrent_matrix(6, 0.0, seed=0)
    linear = rnnlib.to_numpy(run_states(Wh, 10, "identity", D=2, seed=1))
    squashed = rnnlib.to_numpy(run_states(Wh, 10, "tanh", D=2, seed=1))
    sig = rnnlib.to_numpy(run_states(Wh, 10, "sigmoid", D=2, seed=1))
    np.testing.assert_allclose(squashed, np.tanh(linear), atol=1e-14)
    np.testing.assert_allclose(sig, 1 / (1 + np.exp(-linear)), atol=1e-14)
    # and with the recurrence on, the tanh run is the library's rnn_forward
    Wh = recurrent_matrix(6, 1.2, seed=0)
    h = rnnlib.to_numpy(run_states(Wh, 10, "tanh", D=2, seed=1))
    p = rnnlib.init_recurrent("rnn", 2, 6, seed=1)
    x = rnnlib.random_array((1, 10, 2), seed=2)
    ref, _ = rnnlib.rnn_forward(x, np.zeros((1, 6)), p["Wx"], Wh, p["b"])
    np.testing.assert_allclose(h, rnnlib.to_numpy(ref)[0], atol=1e-14)


def test_gradient_norms_of_linear_networks_are_powers_of_the_radius():
    T = 20
    steps_back = np.arange(T)[::-1].astype(float)
    for r in (0.7, 1.3):
        norms = gradient_norms(r, "identity", T=T, H=5, kind="identity")
        np.testing.assert_allclose(norms, r ** steps_back, rtol=1e-12)
    np.testing.assert_allclose(gradient_norms(1.0, "identity", T=T, H=9, kind="orthogonal"),
                               np.ones(T), atol=1e-12)


def test_gradient_norms_are_the_library_reference():
    Wh = recurrent_matrix(7, 1.1, seed=2)
    h = run_states(Wh, 25, "sigmoid", seed=2)
    expected = rnnlib.to_numpy(rnnlib.hidden_gradient_norms(Wh, h, "sigmoid"))
    np.testing.assert_allclose(gradient_norms(1.1, "sigmoid", T=25, H=7, seed=2), expected)


def test_sigmoid_norms_obey_the_quarter_bound():
    norms = gradient_norms(1.5, "sigmoid", T=30, H=16, seed=0)
    sigma = np.linalg.norm(rnnlib.to_numpy(recurrent_matrix(16, 1.5, seed=0)), 2)
    steps_back = np.arange(30)[::-1]
    assert np.all(norms <= (0.25 * sigma) ** steps_back * (1 + 1e-10))


def test_gradient_horizon():
    norms = np.array([1e-5, 1e-3, 5e-3, 2e-2, 0.5, 1.0])  # entry t; k steps back = 5 - t
    assert gradient_horizon(norms, 1e-2) == 3
    assert gradient_horizon(norms, 1e-1) == 2
    assert gradient_horizon(norms, 1e-6) is None
    assert gradient_horizon(2 * norms, 1e-2) == 3  # relative to the value at t = T
    assert gradient_horizon(np.array([0.5, 2.0, 1.0]), 0.6) == 2  # the first crossing back
    with pytest.raises(ValueError):
        gradient_horizon(np.ones((2, 2)))
    with pytest.raises(ValueError):
        gradient_horizon(np.ones(3), threshold=0.0)


def test_plot_with_several_radii_draws_one_line_each_and_the_threshold():
    fig = plot_gradient_norms(RADII, activation="tanh", T=30, H=8, seed=1)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert len(lines) == len(RADII) + 1, "one curve per radius and the threshold line"
    for line, r in zip(lines, RADII):
        assert line.get_label() == f"radius {r:g}"
        np.testing.assert_array_equal(line.get_xdata(), np.arange(30)[::-1])
        expected = np.maximum(gradient_norms(r, "tanh", T=30, H=8, seed=1), FLOOR)
        np.testing.assert_allclose(line.get_ydata(), expected)
    np.testing.assert_array_equal(lines[-1].get_ydata(), [1e-2, 1e-2])


def test_plot_with_one_radius_adds_the_pure_power_and_reuses_ax():
    fig, ax = plt.subplots()
    out = plot_gradient_norms(1.3, activation="identity", T=12, H=6, seed=0, ax=ax,
                              threshold=None)
    assert out is fig
    measured, reference = ax.get_lines()
    np.testing.assert_allclose(reference.get_ydata(), 1.3 ** np.arange(12)[::-1].astype(float))
    assert measured.get_ydata()[-1] == 1.0
    assert measured.get_ydata()[0] > 1.0  # radius above 1, no activation: it grows


def test_underflow_is_drawn_at_the_floor():
    fig = plot_gradient_norms(0.1, activation="sigmoid", T=150, H=4, seed=0, threshold=None)
    ydata = fig.axes[0].get_lines()[0].get_ydata()
    assert ydata.min() >= FLOOR and np.all(np.isfinite(np.log10(ydata)))


def test_sigmoid_fixed_point_is_where_sigmoid_maps_to_itself():
    s = sigmoid_fixed_point()
    assert abs(s - 1 / (1 + np.exp(-s))) < 1e-15
    assert s == pytest.approx(0.659046, abs=1e-6)


def test_sigmoid_iterates_compose_the_sigmoid():
    a = np.linspace(-5.0, 5.0, 11)
    rows = sigmoid_iterates(a, 3)
    assert rows.shape == (3, 11)
    expected = a
    for row in rows:  # row j is sigma applied j + 1 times, computed independently
        expected = 1 / (1 + np.exp(-expected))
        np.testing.assert_allclose(row, expected, rtol=1e-14)
    # the slope of sigma applied k times is a product of k slopes of at most 1/4
    fine = np.linspace(-6.0, 6.0, 4001)
    for k, row in enumerate(sigmoid_iterates(fine, 4), start=1):
        assert np.max(np.gradient(row, fine)) <= 0.25 ** k * (1 + 1e-6)


def test_plot_sigmoid_iterates_draws_one_labelled_curve_per_k_and_the_fixed_point():
    fig = plot_sigmoid_iterates(ks=(1, 2, 5), a_max=6.0)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4, "three curves and the fixed-point line"
    assert [line.get_label() for line in lines[:3]] == [r"k = 1: $\sigma(a)$", "k = 2", "k = 5"]
    a = lines[0].get_xdata()
    assert a[0] == -6.0 and a[-1] == 6.0
    rows = sigmoid_iterates(a, 5)
    for line, k in zip(lines[:3], (1, 2, 5)):
        np.testing.assert_array_equal(line.get_ydata(), rows[k - 1])
    fixed = lines[3]
    np.testing.assert_allclose(fixed.get_ydata(), [sigmoid_fixed_point()] * 2)
    assert "fixed point" in fixed.get_label() and "0.659" in fixed.get_label()
    # the curves collapse: k = 5 spans under a hundredth, all of it around the fixed point
    assert np.ptp(rows[4]) < 1e-2 and np.all(np.abs(rows[4] - sigmoid_fixed_point()) < 1e-2)
    assert ax.get_xlabel() == "input a" and "k times" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == [r"k = 1: $\sigma(a)$", "k = 2", "k = 5"]


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError):
        plot_gradient_norms(1.0, activation="relu")
    with pytest.raises(ValueError):
        plot_gradient_norms(1.0, T=1)
    with pytest.raises(ValueError):
        recurrent_matrix(4, 1.0, kind="diagonal")
    with pytest.raises(ValueError):
        recurrent_matrix(0, 1.0)
    with pytest.raises(ValueError):
        recurrent_matrix(4, -1.0)
    with pytest.raises(ValueError):
        spectral_radius_of(np.ones((2, 3)))
    with pytest.raises(ValueError):
        sigmoid_iterates(np.zeros(3), 0)
    with pytest.raises(ValueError):
        plot_sigmoid_iterates(ks=())
    with pytest.raises(ValueError):
        plot_sigmoid_iterates(a_max=0.0)
