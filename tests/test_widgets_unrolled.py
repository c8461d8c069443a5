"""Tests of rnnlib.widgets.unrolled: the controls exist and every change redraws."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import rnnlib.widgets.unrolled as mod  # noqa: E402
from rnnlib.plots.unrolled import PATTERNS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_controls():
    box = mod.unrolled_explorer(T=6, pattern="many-to-one")
    assert isinstance(box, widgets.VBox)
    steps, kind, folded = (box.controls[k] for k in ("T", "pattern", "folded"))
    assert isinstance(steps, widgets.IntSlider)
    assert (steps.min, steps.max, steps.value) == (1, 10, 6)
    assert isinstance(kind, widgets.ToggleButtons)
    assert tuple(kind.options) == PATTERNS and kind.value == "many-to-one"
    assert isinstance(folded, widgets.Checkbox) and folded.value is False
    assert isinstance(box.output, widgets.Output)
    # every control and the output are really inside the box
    inside = set()
    stack = list(box.children)
    while stack:
        w = stack.pop()
        inside.add(id(w))
        stack.extend(getattr(w, "children", ()))
    assert {id(steps), id(kind), id(folded), id(box.output)} <= inside
    assert "many-to-one, T = 6" in box.summary.value and "1 output" in box.summary.value


def test_every_control_redraws(monkeypatch):
    box = mod.unrolled_explorer()
    calls = []
    real = mod.draw_unrolled

    def spy(T, pattern, folded=False, **kw):
        calls.append((T, pattern, folded))
        return real(T, pattern, folded=folded, **kw)

    monkeypatch.setattr(mod, "draw_unrolled", spy)
    box.controls["T"].value = 7
    box.controls["pattern"].value = "one-to-many"
    box.controls["folded"].value = True
    box.controls["T"].value = 1
    assert calls == [(7, "many-to-many", False), (7, "one-to-many", False),
                     (7, "one-to-many", True), (1, "one-to-many", True)]
    assert "folded" in box.summary.value and "1 time;" in box.summary.value
    assert plt.get_fignums() == []  # each drawn figure is closed after display


def test_summary_counts():
    text = mod.describe(5, "one-to-many")
    assert "1 input," in text and "5 outputs" in text and "W<sub>h</sub> 5&times;" in text


@pytest.mark.parametrize("T", [0, 11, 3.0])
def test_bad_T(T):
    with pytest.raises(ValueError, match="^T:"):
        mod.unrolled_explorer(T=T)


def test_bad_pattern():
    with pytest.raises(ValueError, match="^pattern:"):
        mod.unrolled_explorer(pattern="one-to-two")
