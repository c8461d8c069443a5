"""Explorers that still move in the published book, with no kernel behind them.

A live explorer redraws its picture in Python when a control moves; a static web page
has no Python. So while the book is being built (:func:`rnnlib.claims.building_the_book`),
each explorer of :mod:`rnnlib.widgets` returns a :class:`StaticExplorer` instead of its
ipywidgets box: the same controls, each offering a fixed grid of values, and the picture
for every combination of them drawn in advance. The page shows it as plain HTML: native
``<input type="range">``, ``<select>`` and checkbox controls, one ``<img>``, and a few
lines of JavaScript that swap the picture (and the line of text above it, if any) when
a control moves. Everything is inside the page (pictures as 64-colour PNG data URIs),
so it works offline and needs nothing from a server.

Why not an existing mechanism? Saved ipywidgets state (what Jupyter Book embeds today)
keeps the controls but not the Python callback, so nothing redraws; Panel's ``embed``
precomputes states the same way but brings Bokeh's and Panel's JavaScript (several MB per
page, or a CDN) to each chapter. The few lines here do the one thing needed.

The explorer also carries its starting picture as ``image/png``, which the PDF prints
(Sphinx's LaTeX builder cannot show HTML).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Sequence

#: Colours kept in each precomputed picture (the plots use a handful; anti-aliasing the rest).
COLOURS = 64

#: Every explorer's HTML says this once, under its controls.
SNAP_NOTE = ("On this page the controls move in steps, between pictures drawn when the book was "
             "built; run the chapter as a notebook for every value in between.")

_SCRIPT = """
(function (root) {
  var frames = JSON.parse(root.querySelector("script.rnnlib-frames").textContent);
  var image = root.querySelector("img.rnnlib-explorer-image");
  var line = root.querySelector(".rnnlib-explorer-line");
  var controls = root.querySelectorAll("[data-rnnlib-control]");
  function index(control) {
    return control.type === "checkbox" ? (control.checked ? 1 : 0) : Number(control.value);
  }
  function update() {
    var key = [];
    controls.forEach(function (control) {
      var i = index(control);
      key.push(i);
      var readout = control.parentNode.querySelector("output");
      if (readout) { readout.textContent = JSON.parse(control.dataset.labels)[i]; }
    });
    var frame = frames.keys[key.join("-")];
    image.src = "data:image/png;base64," + frames.pictures[frame[0]];
    image.alt = frames.alts[frame[2]];
    if (line) { line.innerHTML = frames.lines[frame[1]]; }
  }
  controls.forEach(function (control) {
    control.addEventListener("input", update);
    control.addEventListener("change", update);
  });
})(document.currentScript.parentNode);
"""


@dataclass(frozen=True)
class Control:
    """One control of a static explorer.

    label: the text beside it (the live widget's description).
    values: the grid it offers, in order (numbers for a slider, strings for a menu,
        ``(False, True)`` for a checkbox).
    start: its starting value; added to ``values`` if the grid lacks it.
    kind: ``"slider"``, ``"menu"`` or ``"checkbox"``.
    fmt: how a slider shows its value (a format spec, e.g. ``".2f"``).
    """

    label: str
    values: Sequence[Any]
    start: Any
    kind: str = "slider"
    fmt: str = ""

    def __post_init__(self):
        if self.kind not in ("slider", "menu", "checkbox"):
            raise ValueError(f"kind: expected 'slider', 'menu' or 'checkbox', got {self.kind!r}")
        values = list(self.values) if self.kind != "checkbox" else [False, True]
        if not values:
            raise ValueError(f"values: expected at least one value for {self.label!r}")
        if self.start not in values:
            values = sorted(values + [self.start]) if self.kind == "slider" else values + [self.start]
        object.__setattr__(self, "values", tuple(values))

    def labels(self):
        return [format(v, self.fmt) if self.kind == "slider" else str(v) for v in self.values]


def quantized_png(png):
    """PNG bytes with at most :data:`COLOURS` colours (about a quarter of the size)."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    picture.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


class StaticExplorer:
    """An explorer drawn in advance: ``draw(*values)`` for every combination of the controls.

    controls: the :class:`Control` s, in the order ``draw`` takes their values.
    draw: returns the picture as PNG bytes, or ``(png, line)`` where line is a short
        piece of HTML shown above the picture.
    alt: the picture's alt text, or a function of the controls' values that returns
        it, so that the text follows the picture.

    Displayed in a notebook it is ``text/html`` (the explorer), ``image/png`` (the
    starting picture) and ``text/plain``; the book's configuration shows the HTML on the
    web and the PNG in the PDF.
    """

    def __init__(self, controls: Sequence[Control], draw: Callable[..., Any], alt):
        if not controls:
            raise ValueError("controls: expected at least one Control")
        if not callable(alt) and (not isinstance(alt, str) or len(alt.strip()) < 10):
            raise ValueError(f"alt: expected a description of the picture or a function "
                             f"that returns one, got {alt!r}")
        self.controls = tuple(controls)
        self.draw = draw
        self.alt = alt
        self._frames = None

    def frames(self):
        """``{index tuple: (png bytes, line, alt)}`` for every combination (drawn once)."""
        if self._frames is None:
            frames = {}
            for key in itertools.product(*(range(len(c.values)) for c in self.controls)):
                values = [c.values[i] for c, i in zip(self.controls, key)]
                drawn = self.draw(*values)
                png, line = drawn if isinstance(drawn, tuple) else (drawn, "")
                alt = self.alt(*values) if callable(self.alt) else self.alt
                frames[key] = (quantized_png(png), line, alt)
            self._frames = frames
        return self._frames

    def start(self):
        return tuple(c.values.index(c.start) for c in self.controls)

    def html(self):
        """The explorer as one self-contained piece of HTML."""
        frames = self.frames()
        pictures, lines, alts, keys = {}, {}, {}, {}
        for key, (png, line, alt) in frames.items():  # the same picture is stored once
            keys["-".join(map(str, key))] = (pictures.setdefault(png, len(pictures)),
                                              lines.setdefault(line, len(lines)),
                                              alts.setdefault(alt, len(alts)))
        data = {"pictures": [base64.b64encode(png).decode() for png in pictures],
                "lines": list(lines), "alts": list(alts), "keys": keys}
        start = self.start()
        png, line, alt = frames[start]
        uid = uuid.uuid4().hex[:8]
        parts = [f'<div class="rnnlib-explorer" id="rnnlib-explorer-{uid}">',
                 '<div class="rnnlib-explorer-controls" style="display:flex;flex-wrap:wrap;gap:0.5em 1.5em">']
        for c, i in zip(self.controls, start):
            parts.append(self._control_html(c, i))
        parts.append("</div>")
        parts.append(f'<p class="rnnlib-explorer-note" style="font-size:0.85em;opacity:0.8">'
                     f"{html.escape(SNAP_NOTE)}</p>")
        if any(frame[1] for frame in frames.values()):
            parts.append(f'<div class="rnnlib-explorer-line">{line}</div>')
        parts.append(f'<img class="rnnlib-explorer-image" style="max-width:100%" alt="{html.escape(alt)}" '
                     f'src="data:image/png;base64,{base64.b64encode(png).decode()}">')
        # "</" cannot end the script early: the JSON holds only base64, numbers and escaped HTML
        parts.append('<script type="application/json" class="rnnlib-frames">'
                     + json.dumps(data).replace("</", "<\\/") + "</script>")
        parts.append(f"<script>{_SCRIPT}</script>")
        parts.append("</div>")
        return "\n".join(parts)

    @staticmethod
    def _control_html(control, i):
        label = html.escape(control.label)
        labels = html.escape(json.dumps(control.labels()))
        common = f'data-rnnlib-control="" data-labels="{labels}" aria-label="{label}"'
        if control.kind == "slider":
            return (f'<label>{label} <input type="range" min="0" max="{len(control.values) - 1}" '
                    f'step="1" value="{i}" {common}> <output>{html.escape(control.labels()[i])}</output></label>')
        if control.kind == "checkbox":
            checked = " checked" if control.values[i] else ""
            return f'<label><input type="checkbox"{checked} {common}> {label}</label>'
        options = "".join(f'<option value="{k}"{" selected" if k == i else ""}>{html.escape(text)}</option>'
                          for k, text in enumerate(control.labels()))
        return f"<label>{label} <select {common}>{options}</select></label>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = self.frames()[self.start()][0]
        return {"text/html": self.html(), "image/png": base64.b64encode(png).decode(),
                "text/plain": f"<explorer: {', '.join(c.label for c in self.controls)}>"}
