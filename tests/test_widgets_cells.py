"""The chapter 6 cell explorer: gates that open and close on the LSTM's diagram."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlib.widgets.cells import arithmetic, lstm_cell_explorer  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_explorer_has_three_gate_sliders_a_checkbox_a_line_and_a_picture(monkeypatch):
    monkeypatch.delenv("RNNLIB_BOOK_BUILD", raising=False)
    box = lstm_cell_explorer()
    assert isinstance(box, widgets.VBox)
    assert [box.controls[k].value for k in ("f", "i", "o", "gradient path")] == [0.9, 0.5, 1.0, True]
    assert all(isinstance(box.controls[k], widgets.FloatSlider) for k in "fio")
    assert bytes(box.image.value).startswith(PNG_MAGIC)
    assert "<b>1.15</b>" in box.children[1].value  # 0.9 * 1 + 0.5 * 0.5


@pytest.mark.parametrize("control, value", [("f", 0.2), ("i", 1.0), ("o", 0.0), ("gradient path", False)])
def test_changing_a_control_redraws(monkeypatch, control, value):
    monkeypatch.delenv("RNNLIB_BOOK_BUILD", raising=False)
    box = lstm_cell_explorer()
    before = bytes(box.image.value)
    box.controls[control].value = value
    assert bytes(box.image.value).startswith(PNG_MAGIC) and bytes(box.image.value) != before
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


def test_the_line_does_the_cells_arithmetic():
    line = arithmetic(0.5, 1.0, 0.0, gradient_path=True)
    assert "<b>1.00</b>" in line  # c = 0.5 * 1 + 1.0 * 0.5
    assert "<b>0.00</b>" in line  # h = 0 * tanh(1)
    assert f"<b>{0.5 ** 10:.3g}</b>" in line
    assert "steps back" not in arithmetic(0.5, 1.0, 0.0, gradient_path=False)


@pytest.mark.parametrize("bad", [dict(f=1.5), dict(i=-0.1), dict(o="open"), dict(gradient_path=1)])
def test_bad_settings_are_named(bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        lstm_cell_explorer(**bad)
