"""Tests of rnnlib.plots.cells: the cell diagrams draw at several sizes, say what they show, and stay legible."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnnlib.plots.cells import (draw_carousel, draw_cells_side_by_side,  # noqa: E402
                                draw_gru_cell, draw_lstm_cell, draw_rnn_cell)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def gids(fig):
    return {a.get_gid() for ax in fig.axes for a in ax.get_children() if a.get_gid()}


# each diagram, drawn at a given width, with the labels and gids it must have
DIAGRAMS = {
    "rnn both": (lambda w: draw_rnn_cell(width=w),
                 ["$x_t$", "$h_{t-1}$", "$h_t$", "$h_0$", "$x_{1}$", "$x_{3}$", "$h_{3}$",
                  "$W_h$", "$W_x$", "one step later"], ["loop", "tanh", "tanh_3"]),
    "rnn folded": (lambda w: draw_rnn_cell("folded", width=w),
                   ["$x_t$", "$h_{t-1}$", "$h_t$", r"$\tanh$"], ["loop"]),
    "rnn unfolded": (lambda w: draw_rnn_cell("unfolded", steps=4, width=w),
                     ["$h_0$", "$x_{4}$", "$h_{4}$"], ["tanh_1", "tanh_4"]),
    "carousel": (lambda w: draw_carousel(width=w),
                 ["+", "$x_t$", "$y_t$", "$y_{t-1}$", "weight 1, no squashing"], ["loop", "op_add"]),
    "gated carousel": (lambda w: draw_carousel(gated=True, width=w),
                       ["+", "×", "$c_t$", "$c_{t-1}$", "$g_t$", "$y_t$", "input gate $i_t$",
                        "output gate $o_t$"], ["loop", "op_add", "op_write", "op_read"]),
    "lstm": (lambda w: draw_lstm_cell(width=w),
             ["learn", "forget", "remember", "use", "+", "×", "$c_{t-1}$", "$c_t$", "$h_{t-1}$",
              "$h_t$", "$x_t$", "$i_t$", "$f_t$", "$o_t$", "$g_t$", r"$\sigma$", r"$\tanh$"],
             ["gate_i", "gate_f", "gate_o", "gate_g", "op_forget", "op_learn", "op_add",
              "op_use", "op_tanh", "region_learn", "region_forget", "region_remember",
              "region_use"]),
    "lstm gradient": (lambda w: draw_lstm_cell(regions=False, gradient_path=True, width=w),
                      ["$c_{t-1}$", "$c_t$", r"$\partial E/\partial c_t$", r"$\partial E/\partial c_{t-1}$", "+"],
                      ["gradient_path", "gradient_arrow"]),
    "gru": (lambda w: draw_gru_cell(width=w),
            ["$z_t$", "$r_t$", "$n_t$", "$1-z_t$", r"$r_t \odot h_{t-1}$", "$h_{t-1}$", "$h_t$",
             "$x_t$", "+", "×", "reset", "update", "candidate"],
            ["gate_z", "gate_r", "gate_n", "op_reset", "op_keep", "op_new", "op_add",
             "op_one_minus"]),
    "side by side": (lambda w: draw_cells_side_by_side(width=w),
                     ["$c_{t-1}$", "$z_t$", "$r_t$", "$f_t$", r"$\tanh$"],
                     ["gate_f", "gate_z", "tanh"]),
}
WIDTHS = {name: (3.0, 6.0, 10.0) for name in DIAGRAMS}
WIDTHS["side by side"] = (8.0, 12.0, 16.0)
CASES = [(name, w) for name in DIAGRAMS for w in WIDTHS[name]]


@pytest.mark.parametrize("name, width", CASES)
def test_draws_with_its_labels_and_alt_text(name, width):
    draw, labels, parts = DIAGRAMS[name]
    fig = draw(width)
    assert isinstance(fig, Figure)
    assert fig.get_figwidth() == pytest.approx(width)
    shown = texts(fig)
    for label in labels:
        assert any(label in s for s in shown), f"{name}: no label {label!r} in {shown}"
    assert set(parts) <= gids(fig), f"{name}: missing {set(parts) - gids(fig)}"
    assert isinstance(fig.alt_text, str) and len(fig.alt_text) > 80
    fig.canvas.draw()  # renders without error at this size


def _overlaps(fig):
    """Pairs of texts whose drawn boxes overlap, and texts that stick out of the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).shrunk(0.9, 0.8))
             for ax in fig.axes for t in ax.texts if t.get_text()]
    pairs = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]
    outside = [s for s, box in boxes if box.x0 < 0 or box.y0 < 0
               or box.x1 > fig.bbox.width or box.y1 > fig.bbox.height]
    return pairs, outside


@pytest.mark.parametrize("name, width", CASES)
def test_labels_do_not_overlap_or_leave_the_figure(name, width):
    pairs, outside = _overlaps(DIAGRAMS[name][0](width))
    assert not pairs, f"{name} at {width} in: overlapping labels {pairs}"
    assert not outside, f"{name} at {width} in: labels outside the figure {outside}"


def test_fonts_grow_with_the_width():
    def font(fig):
        return next(t.get_fontsize() for ax in fig.axes for t in ax.texts if t.get_text() == "$c_t$")

    small, large = font(draw_lstm_cell(width=4.0)), font(draw_lstm_cell(width=10.0))
    assert 5.0 <= small < large


def test_the_gradient_path_is_highlighted_only_when_asked():
    plain, path = draw_lstm_cell(), draw_lstm_cell(gradient_path=True)
    assert "gradient_path" not in gids(plain) and "gradient_path" in gids(path)
    assert not any("partial" in s for s in texts(plain))
    assert "dE/dc_t" in path.alt_text and "dE/dc_t" not in plain.alt_text
    (ax,) = path.axes
    (band,) = [p for p in ax.patches if p.get_gid() == "gradient_path"]
    (forget,) = [p for p in ax.patches if p.get_gid() == "op_forget"]
    (add,) = [p for p in ax.patches if p.get_gid() == "op_add"]
    ys = band.get_path().vertices[:, 1]
    assert list(ys) == pytest.approx([forget.center[1]] * 2)  # along the cell line,
    assert list(ys) == pytest.approx([add.center[1]] * 2)  # through the forget x and the +


def test_regions_false_leaves_out_003s_gate_names():
    fig = draw_lstm_cell(regions=False)
    assert not {"learn", "forget", "remember", "use"} & set(texts(fig))
    assert not any(g.startswith("region_") for g in gids(fig))


def test_lstm_regions_enclose_their_gates():
    (ax,) = draw_lstm_cell().axes
    parts = {p.get_gid(): p for p in ax.patches}

    def inside(region, gid):
        r = parts[f"region_{region}"]
        x, y = parts[gid].center if hasattr(parts[gid], "center") else (
            parts[gid].get_x() + parts[gid].get_width() / 2,
            parts[gid].get_y() + parts[gid].get_height() / 2)
        return r.get_x() < x < r.get_x() + r.get_width() and r.get_y() < y < r.get_y() + r.get_height()

    assert inside("forget", "gate_f") and inside("forget", "op_forget")
    assert inside("learn", "gate_i") and inside("learn", "gate_g") and inside("learn", "op_learn")
    assert inside("remember", "op_add")
    assert inside("use", "gate_o") and inside("use", "op_tanh") and inside("use", "op_use")
    assert not inside("learn", "op_forget") and not inside("use", "op_add")


def test_gru_update_gate_keeps_the_old_state():
    # chapter 7: h_t = z_t h_{t-1} + (1 - z_t) n_t, so z_t's wire goes up to the multiply on
    # the state line and 1 - z_t's to the multiply with the candidate
    fig = draw_gru_cell()
    (ax,) = fig.axes
    fig.canvas.draw()
    parts = {p.get_gid(): p for p in ax.patches}
    to_data = ax.transData.inverted()

    def extent(gid):  # (x0, y0), (x1, y1) in data units
        return to_data.transform(parts[gid].get_window_extent().get_points())

    keep, new, add = (parts[g].center for g in ("op_keep", "op_new", "op_add"))
    assert keep[1] == pytest.approx(add[1])  # the keep multiply sits on the state line
    (x0, y0), (x1, y1) = extent("z_out")
    assert x0 < keep[0] < x1 and y1 == pytest.approx(keep[1] - 0.3, abs=0.05)
    (x0, y0), (x1, y1) = extent("one_minus_out")
    assert y0 == pytest.approx(new[1], abs=0.1) and x1 == pytest.approx(new[0] - 0.3, abs=0.05)


def test_side_by_side_draws_the_cells_at_one_scale():
    fig = draw_cells_side_by_side()
    assert len(fig.axes) == 3
    scales = [ax.get_position().width * fig.get_figwidth() / (ax.get_xlim()[1] - ax.get_xlim()[0])
              for ax in fig.axes]
    assert max(scales) == pytest.approx(min(scales))
    titles = " ".join(texts(fig))
    assert "tanh RNN" in titles and "LSTM" in titles and "GRU" in titles


def test_draws_into_a_given_axes():
    fig, axes = plt.subplots(1, 2, figsize=(10, 3))
    assert draw_carousel(ax=axes[0]) is fig
    assert draw_carousel(gated=True, ax=axes[1]) is fig
    assert "constant error carousel" in fig.alt_text and "gated carousel" in fig.alt_text


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="^width:"):
        draw_lstm_cell(width=0)
    with pytest.raises(ValueError, match="^width:"):
        draw_gru_cell(width="wide")
    with pytest.raises(ValueError, match="^regions:"):
        draw_lstm_cell(regions="yes")
    with pytest.raises(ValueError, match="^gradient_path:"):
        draw_lstm_cell(gradient_path=1)
    with pytest.raises(ValueError, match="^gated:"):
        draw_carousel(gated=None)
    with pytest.raises(ValueError, match="^view:"):
        draw_rnn_cell("rolled")
    with pytest.raises(ValueError, match="^steps:"):
        draw_rnn_cell(steps=0)
    with pytest.raises(TypeError, match="^ax:"):
        draw_gru_cell(ax="axes")


def test_lstm_gates_shade_their_wires_and_show_their_values():
    import matplotlib.pyplot as plt

    fig = draw_lstm_cell(regions=False, gates={"f": 1.0, "i": 0.0, "o": 0.5})
    (ax,) = fig.axes
    wires = {p.get_gid(): p for p in ax.patches}
    assert wires["c_kept"].get_alpha() == pytest.approx(1.0)
    assert wires["learn_out"].get_alpha() < 0.2 < wires["h_out"].get_alpha() < 1.0
    assert wires["c_kept"].get_linewidth() > wires["h_out"].get_linewidth() > wires["learn_out"].get_linewidth()
    values = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("value_")}
    assert values == {"value_f": "1.00", "value_i": "0.00", "value_o": "0.50"}
    assert "f_t = 1.00" in fig.alt_text and "i_t = 0.00" in fig.alt_text and "faint" in fig.alt_text
    plt.close(fig)


@pytest.mark.parametrize("gates", [{"g": 0.5}, {"f": 1.5}, {"i": True}, [0.5]])
def test_lstm_gates_must_be_gate_values(gates):
    with pytest.raises(ValueError, match="gates"):
        draw_lstm_cell(gates=gates)
