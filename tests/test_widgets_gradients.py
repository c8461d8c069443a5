"""The chapter 4 explorer: its three controls, and a redraw whenever one of them changes."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlib.widgets.gradients import gradient_norm_explorer  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _parts(box):
    controls, image = box.children
    radius, phi, T = controls.children
    return radius, phi, T, image


def test_explorer_has_the_three_controls_and_a_picture():
    box = gradient_norm_explorer()
    assert isinstance(box, widgets.VBox)
    radius, phi, T, image = _parts(box)
    assert isinstance(radius, widgets.FloatSlider)
    assert radius.description == "spectral radius" and radius.value == 1.0
    assert radius.min < 1.0 < radius.max
    assert isinstance(phi, widgets.Dropdown) and phi.description == "activation"
    assert tuple(phi.options) == ("tanh", "sigmoid", "identity") and phi.value == "tanh"
    assert isinstance(T, widgets.IntSlider) and T.description == "T" and T.value == 50
    assert isinstance(image, widgets.Image)
    assert bytes(image.value).startswith(PNG_MAGIC)
    assert box.controls == {"spectral radius": radius, "activation": phi, "T": T}
    assert box.image is image
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


@pytest.mark.parametrize("control, value", [(0, 1.5), (1, "sigmoid"), (1, "identity"), (2, 20)])
def test_changing_a_control_redraws(control, value):
    box = gradient_norm_explorer()
    parts = _parts(box)
    image = parts[3]
    before = bytes(image.value)
    parts[control].value = value
    assert bytes(image.value).startswith(PNG_MAGIC)
    assert bytes(image.value) != before, "the picture did not change"
    assert plt.get_fignums() == [], "the explorer left matplotlib figures open"


def test_the_picture_depends_only_on_the_controls():
    box = gradient_norm_explorer()
    radius = _parts(box)[0]
    first = bytes(box.image.value)
    radius.value = 2.0
    radius.value = 1.0  # back to the start: the same seeded run, the same picture
    assert bytes(box.image.value) == first


def test_starting_values_are_checked():
    with pytest.raises(ValueError):
        gradient_norm_explorer(activation="relu")
    with pytest.raises(ValueError):
        gradient_norm_explorer(T=2)
    with pytest.raises(ValueError):
        gradient_norm_explorer(spectral_radius=10.0)
