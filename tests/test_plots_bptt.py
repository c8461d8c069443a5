"""The diagrams of chapter 3: path panels and truncation windows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.plots.bptt import (_PATH, _WH, _WX, draw_bptt_paths,  # noqa: E402
                               draw_truncation_windows, truncation_windows)


def _arrow_colors(ax):
    """Colours of the arrows drawn with annotate, in drawing order."""
    return [to_hex(a.arrow_patch.get_edgecolor()) for a in ax.texts
            if getattr(a, "arrow_patch", None) is not None]


@pytest.mark.parametrize("t", [1, 2, 3, 5])
def test_paths_one_panel_per_term_with_the_right_route(t):
    fig = draw_bptt_paths(t)
    try:
        assert len(fig.axes) == t
        for panel, ax in enumerate(fig.axes):
            k = t - panel  # the panel's path goes through h_k
            colors = _arrow_colors(ax)
            # E->y, y->h_t, then t - k steps back along the chain
            assert colors.count(to_hex(_PATH)) == 2 + (t - k)
            assert colors.count(to_hex(_WH)) == 1
            assert colors.count(to_hex(_WX)) == 1
            assert f"h_{k}" in ax.get_title()
    finally:
        plt.close(fig)


@pytest.mark.parametrize("t", [0, 7, 2.0])
def test_paths_rejects_unreadable_sizes(t):
    with pytest.raises(ValueError, match="t:"):
        draw_bptt_paths(t)


def test_windows_follow_the_rule():
    assert truncation_windows(12, 4, 4) == [(0, 0, 4), (4, 4, 8), (8, 8, 12)]
    assert truncation_windows(10, 3, 5) == [(0, 0, 3), (1, 3, 6), (4, 6, 9), (5, 9, 10)]
    assert truncation_windows(6, 6, 6) == [(0, 0, 6)]


@pytest.mark.parametrize("T,k1,k2", [(0, 1, 1), (5, 6, 6), (5, 3, 2)])
def test_windows_reject_bad_sizes(T, k1, k2):
    with pytest.raises(ValueError):
        truncation_windows(T, k1, k2)


@pytest.mark.parametrize("T,k1,k2", [(10, 3, 5), (8, 4, 4), (7, 2, 3)])
def test_windows_match_fit_updates(T, k1, k2):
    # fit takes one update per window: the counts must agree
    x = rnnlib.random_array((2, T, 1), seed=0)
    y = rnnlib.random_array((2, T, 1), seed=1)
    params = rnnlib.init_model("rnn", 1, 2, 1, seed=0)
    _, history = rnnlib.fit(params, "rnn", x, y, loss="mse", k1=k1, k2=k2, progress=False)
    assert len(history["loss"]) == len(truncation_windows(T, k1, k2))


def test_window_figure_draws_every_step_of_every_update():
    T, k1, k2 = 12, 4, 6
    fig = draw_truncation_windows(T, k1, k2)
    try:
        assert len(fig.axes) == 1
        ax = fig.axes[0]
        windows = truncation_windows(T, k1, k2)
        cells = [p for p in ax.patches]
        assert len(cells) == sum(end for _, _, end in windows)
        dots = [ln for ln in ax.lines if ln.get_marker() == "o"]
        assert len(dots) == T  # every loss is used by exactly one update
        cuts = [ln for ln in ax.lines if ln.get_marker() in ("None", "", None)
                and np.allclose(np.diff(ln.get_xdata()), 0)]
        assert len(cuts) == sum(start > 0 for start, _, _ in windows)
    finally:
        plt.close(fig)
