"""The chapter 6 gate explorer: its controls, and a redraw whenever one of them changes."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlib.plots.lstm import SEQUENCES  # noqa: E402
from rnnlib.widgets.lstm import lstm_gate_explorer  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _parts(box):
    controls, image = box.children
    sequence, bias = controls.children
    return sequence, bias, image


def test_explorer_has_a_sequence_menu_a_bias_slider_and_a_picture():
    box = lstm_gate_explorer()
    assert isinstance(box, widgets.VBox)
    sequence, bias, image = _parts(box)
    assert isinstance(sequence, widgets.Dropdown) and sequence.description == "sequence"
    assert tuple(sequence.options) == SEQUENCES and sequence.value == "store, forget, store"
    assert isinstance(bias, widgets.FloatSlider) and bias.description == "forget bias"
    assert bias.value == 6.0 and (bias.min, bias.max) == (-2.0, 10.0)
    assert isinstance(image, widgets.Image)
    assert bytes(image.value).startswith(PNG_MAGIC)
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


@pytest.mark.parametrize("control, value", [(0, "store then hold"), (0, "noise"),
                                            (1, 1.5)])
def test_changing_a_control_redraws(control, value):
    box = lstm_gate_explorer()
    parts = _parts(box)
    image = parts[2]
    before = bytes(image.value)
    parts[control].value = value
    assert bytes(image.value).startswith(PNG_MAGIC)
    assert bytes(image.value) != before, "the picture did not change"
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError):
        lstm_gate_explorer(sequence="hold forever")
    with pytest.raises(ValueError):
        lstm_gate_explorer(forget_bias=50.0)
