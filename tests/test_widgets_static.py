"""The explorers of the published book (rnnlib.widgets.static): drawn in advance, self-contained."""

import base64
import html
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlib.widgets.carousel import carousel_explorer  # noqa: E402
from rnnlib.widgets.cells import lstm_cell_explorer  # noqa: E402
from rnnlib.widgets.gradients import gradient_norm_explorer  # noqa: E402
from rnnlib.widgets.lstm import lstm_gate_explorer  # noqa: E402
from rnnlib.widgets.png import png_of  # noqa: E402
from rnnlib.widgets.static import Control, StaticExplorer, quantized_png  # noqa: E402
from rnnlib.widgets.unrolled import unrolled_explorer  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _bar(height, colour):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.bar([0], [height], color=colour)
    ax.set_ylim(0, 3)
    return png_of(fig, dpi=40)


def _small():
    drawn = []

    def draw(height, colour, boxed):
        drawn.append((height, colour, boxed))
        return _bar(height, colour), f"<b>{height}</b> {colour}"

    explorer = StaticExplorer([Control("height", (1, 2, 3), 2), Control("colour", ("red", "blue"), "red", kind="menu"),
                               Control("boxed", (False, True), False, kind="checkbox")],
                              draw=draw, alt=lambda h, c, b: f"One {c} bar of height {h}")
    return explorer, drawn


def _data(page):
    return json.loads(re.search(r'<script type="application/json" class="rnnlib-frames">(.*?)</script>',
                                page, re.S).group(1).replace("<\\/", "</"))


def test_every_combination_is_drawn_once_and_stored_once():
    explorer, drawn = _small()
    page = explorer.html()
    assert sorted(drawn) == sorted((h, c, b) for h in (1, 2, 3) for c in ("red", "blue") for b in (False, True))
    data = _data(page)
    assert len(data["keys"]) == 12
    # the checkbox changes only the line, never the picture: six pictures, stored once each
    assert len(data["pictures"]) == 6
    for key, (p, t, a) in data["keys"].items():
        h, c, b = (int(i) for i in key.split("-"))
        assert data["lines"][t] == f"<b>{(1, 2, 3)[h]}</b> {('red', 'blue')[c]}"
        assert data["alts"][a] == f"One {('red', 'blue')[c]} bar of height {(1, 2, 3)[h]}"
        assert base64.b64decode(data["pictures"][p]).startswith(PNG_MAGIC)
    explorer.html()
    assert len(drawn) == 12, "pictures are drawn once"


def test_the_page_starts_at_the_start_values_with_native_controls():
    explorer, _ = _small()
    page = explorer.html()
    assert '<input type="range" min="0" max="2" step="1" value="1"' in page
    assert "<output>2</output>" in page
    assert '<option value="0" selected>red</option>' in page
    assert re.search(r'<input type="checkbox" data-rnnlib-control', page)
    start = re.search(r'<img class="rnnlib-explorer-image"[^>]*alt="([^"]*)"[^>]*src="data:image/png;base64,([^"]+)"',
                      page)
    assert html.unescape(start.group(1)) == "One red bar of height 2"
    assert base64.b64decode(start.group(2)) == explorer.frames()[(1, 0, 0)][0]
    assert "<script>" in page and "http" not in page, "self-contained: no address in the explorer"


def test_the_mime_bundle_has_the_page_and_the_starting_picture():
    explorer, _ = _small()
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]) == explorer.frames()[explorer.start()][0]


def test_a_start_outside_the_grid_joins_it():
    assert Control("w", (0.0, 1.0), 0.5).values == (0.0, 0.5, 1.0)
    assert Control("pattern", ("a", "b"), "c", kind="menu").values == ("a", "b", "c")


@pytest.mark.parametrize("bad, match", [(dict(kind="knob"), "kind"), (dict(values=()), "values")])
def test_bad_controls_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        Control(**{"label": "x", "values": (1,), "start": 1, **bad})


def test_an_explorer_needs_alt_text():
    with pytest.raises(ValueError, match="alt"):
        StaticExplorer([Control("x", (1,), 1)], draw=lambda x: b"", alt="")


def test_quantized_pictures_are_smaller_pngs():
    png = _bar(2, "tab:blue")
    small = quantized_png(png)
    assert small.startswith(PNG_MAGIC) and len(small) < len(png)


@pytest.mark.parametrize("explorer, labels", [
    (carousel_explorer, ["weight w", "activation", "steps T"]),
    (gradient_norm_explorer, ["spectral radius", "activation", "T"]),
    (lstm_gate_explorer, ["sequence", "forget bias"]),
    (unrolled_explorer, ["T", "folded", "pattern"]),
    (lstm_cell_explorer, ["forget f", "input i", "output o", "gradient path"]),
])
def test_building_the_book_each_explorer_is_its_static_form(monkeypatch, explorer, labels):
    monkeypatch.setenv("RNNLIB_BOOK_BUILD", "1")
    static = explorer()
    assert isinstance(static, StaticExplorer)
    assert [c.label for c in static.controls] == labels
    for control in static.controls:
        assert control.start in control.values
    monkeypatch.setenv("RNNLIB_BOOK_BUILD", "0")
    assert not isinstance(explorer(), StaticExplorer)
