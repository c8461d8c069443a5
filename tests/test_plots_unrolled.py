"""Tests of rnnlib.plots.unrolled: what the drawn graphs contain, and argument checks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnnlib.plots.unrolled import (PATTERNS, draw_encoder_decoder, draw_stacked,  # noqa: E402
                                   draw_unrolled, pattern_steps)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def gids(fig, prefix):
    """The sorted gids of the nodes and arrows of the figure's only Axes that start with prefix."""
    (ax,) = fig.axes
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith(prefix))


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("pattern, ins, outs", [
    ("one-to-one", [1], [5]),
    ("one-to-many", [1], [1, 2, 3, 4, 5]),
    ("many-to-one", [1, 2, 3, 4, 5], [5]),
    ("many-to-many", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
])
def test_pattern_steps(pattern, ins, outs):
    assert pattern_steps(5, pattern) == (ins, outs)


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("T", [1, 3, 12])
def test_unrolled_nodes_and_arrows_follow_the_pattern(T, pattern):
    fig = draw_unrolled(T, pattern)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ins, outs = pattern_steps(T, pattern)
    assert gids(fig, "h_") == sorted(f"h_{t}" for t in range(T + 1))  # h_0 .. h_T
    assert gids(fig, "x_") == sorted(f"x_{t}" for t in ins)
    assert gids(fig, "y_") == sorted(f"y_{t}" for t in outs)
    assert gids(fig, "Wh_") == sorted(f"Wh_{t}" for t in range(1, T + 1))
    assert gids(fig, "Wx_") == sorted(f"Wx_{t}" for t in ins)
    assert gids(fig, "Wy_") == sorted(f"Wy_{t}" for t in outs)
    shown = texts(fig)
    assert shown.count("$W_h$") == T and shown.count("$W_x$") == len(ins)
    assert f"$t={T}$" in shown and "$h_0$" in shown


def test_many_to_one_reads_every_step_and_answers_once():
    fig = draw_unrolled(4, "many-to-one")
    assert gids(fig, "x_") == ["x_1", "x_2", "x_3", "x_4"]
    assert gids(fig, "y_") == ["y_4"]


def test_recurrent_arrows_join_neighbouring_states():
    fig = draw_unrolled(3)
    (ax,) = fig.axes
    fig.canvas.draw()
    to_data = ax.transData.inverted()
    for t in (1, 2, 3):
        (arrow,) = [p for p in ax.patches if p.get_gid() == f"Wh_{t}"]
        (x0, y0), (x1, y1) = to_data.transform(arrow.get_window_extent().get_points())
        assert t - 1 < x0 < x1 < t  # between the centres of h_{t-1} and h_t
        (h,) = [p for p in ax.patches if p.get_gid() == f"h_{t}"]
        assert y0 < h.center[1] < y1  # at the height of the states


def test_labels_false_hides_weight_and_time_labels():
    shown = texts(draw_unrolled(4, labels=False))
    assert not any(s.startswith("$W") or s.startswith("$t=") for s in shown)
    assert "$h_{4}$" in shown  # node names stay


def test_folded_has_one_column_and_a_self_loop():
    fig = draw_unrolled(6, "many-to-many", folded=True)
    assert gids(fig, "h") == ["h", "h0_arrow", "h_0"]
    assert gids(fig, "W") == ["Wh", "Wx", "Wy"]
    assert "$t=1,\\ldots,6$" in texts(fig)


@pytest.mark.parametrize("pattern, x_dashed, y_dashed", [
    ("many-to-many", False, False), ("many-to-one", False, True),
    ("one-to-many", True, False), ("one-to-one", True, True),
])
def test_folded_dashes_what_only_some_steps_have(pattern, x_dashed, y_dashed):
    (ax,) = draw_unrolled(3, pattern, folded=True).axes
    style = {p.get_gid(): p.get_linestyle() for p in ax.patches}
    assert (style["x"] == "--") == x_dashed
    assert (style["y"] == "--") == y_dashed


def test_folded_with_T1_has_no_dashes():
    (ax,) = draw_unrolled(1, "one-to-one", folded=True).axes
    style = {p.get_gid(): p.get_linestyle() for p in ax.patches}
    assert style["x"] == style["y"] == "-"


def test_fonts_shrink_as_T_grows():
    def node_font(fig):
        (ax,) = fig.axes
        return next(t.get_fontsize() for t in ax.texts if t.get_text() == "$h_{1}$")

    small, large = node_font(draw_unrolled(12)), node_font(draw_unrolled(2))
    assert small < large
    assert small >= 6


def test_draws_into_a_given_axes():
    fig, axes = plt.subplots(2, 2)
    for ax, pattern in zip(axes.flat, PATTERNS):
        assert draw_unrolled(4, pattern, ax=ax) is fig
    assert len(fig.axes) == 4
    assert all(len(ax.patches) > 0 for ax in fig.axes)


@pytest.mark.parametrize("T", [0, -1, 2.5, "4", True, None])
def test_bad_T_is_named(T):
    with pytest.raises(ValueError, match="^T:"):
        draw_unrolled(T)


@pytest.mark.parametrize("pattern", ["two-to-one", "many_to_many", None, 3])
def test_bad_pattern_is_named(pattern):
    with pytest.raises(ValueError, match="^pattern:.*many-to-many"):
        draw_unrolled(3, pattern)


def test_bad_flags_and_axes_are_named():
    with pytest.raises(ValueError, match="^folded:"):
        draw_unrolled(3, folded="yes")
    with pytest.raises(ValueError, match="^labels:"):
        draw_unrolled(3, labels=None)
    with pytest.raises(TypeError, match="^ax:"):
        draw_unrolled(3, ax="axes")


@pytest.mark.parametrize("T, layers", [(1, 1), (4, 2), (3, 3)])
def test_stacked_layers(T, layers):
    fig = draw_stacked(T, layers)
    states = [g for g in gids(fig, "h") if "_" in g]
    assert len(states) == layers * (T + 1)
    for layer in range(1, layers + 1):
        assert len(gids(fig, f"Wx{layer}_")) == T and len(gids(fig, f"Wh{layer}_")) == T
    assert gids(fig, "y_") == sorted(f"y_{t}" for t in range(1, T + 1))
    with pytest.raises(ValueError, match="^layers:"):
        draw_stacked(T, 0)


def test_encoder_decoder():
    fig = draw_encoder_decoder(4, 3)
    assert gids(fig, "x_") == ["x_1", "x_2", "x_3", "x_4"]
    assert gids(fig, "s_") == ["s_1", "s_2", "s_3"]
    assert gids(fig, "y_") == ["y_1", "y_2", "y_3"]  # the encoder emits nothing
    assert len(gids(fig, "Uh_")) == 3  # the first one is the bridge h_4 -> s_1
    assert "$s_0 = h_{4}$" in texts(fig)
    with pytest.raises(ValueError, match="^T_out:"):
        draw_encoder_decoder(4, 0)
