"""The chapter 5 explorer: its controls, and a redraw whenever one of them changes."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlib.widgets.carousel import carousel_explorer  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _parts(box):
    controls, image = box.children
    w, phi, T = controls.children
    return w, phi, T, image


def test_explorer_has_the_three_controls_and_a_picture():
    box = carousel_explorer()
    assert isinstance(box, widgets.VBox)
    w, phi, T, image = _parts(box)
    assert isinstance(w, widgets.FloatSlider) and w.value == 1.0
    assert isinstance(phi, widgets.Dropdown)
    assert tuple(phi.options) == ("identity", "tanh", "sigmoid") and phi.value == "tanh"
    assert isinstance(T, widgets.IntSlider) and T.max == 200 and T.value == 100
    assert isinstance(image, widgets.Image)
    assert bytes(image.value).startswith(PNG_MAGIC)


@pytest.mark.parametrize("control, value", [(0, 1.5), (1, "sigmoid"), (2, 37)])
def test_changing_a_control_redraws(control, value):
    box = carousel_explorer()
    parts = _parts(box)
    image = parts[3]
    before = image.value
    parts[control].value = value
    assert bytes(image.value).startswith(PNG_MAGIC)
    assert bytes(image.value) != bytes(before), "the picture did not change"
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError):
        carousel_explorer(activation="relu")
