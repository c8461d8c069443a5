"""Diagrams of the cells, drawn with matplotlib: the simple RNN, the carousel, the LSTM, the GRU.

Each cell is drawn as a circuit. Layers with weights (a sigmoid gate, a tanh) are
rounded boxes; elementwise operations (multiply, add, a tanh without weights) are
circles; arrows carry row vectors in the book's notation (x_t, h_{t-1}, h_t, c_t, the
LSTM's gates i_t, f_t, o_t and candidate g_t, the GRU's z_t, r_t and candidate n_t).
Inputs enter on the left and at the bottom, new states leave on the right.

Every function takes ``width``, the figure's width in inches (fonts, lines and arrow
heads scale with it), or ``ax``, an Axes to draw into; it returns the Figure with a
plain-language description of the picture in ``fig.alt_text`` (matplotlib has no
alt-text field of its own; a page that shows the figure needs one). Every drawn piece
carries a gid (``"gate_f"``, ``"op_add"``, ``"region_learn"``, ``"gradient_path"`` ...)
so that tests and readers can find it. No function keeps state between calls.

* :func:`draw_rnn_cell` -- the tanh RNN cell, folded (with its loop) and unfolded.
* :func:`draw_carousel` -- the constant error carousel, bare or with its two gates.
* :func:`draw_lstm_cell` -- the LSTM cell, with 003's four gates as shaded regions and,
  optionally, the gradient path along the cell state.
* :func:`draw_gru_cell` -- the GRU cell, as chapter 7 writes it.
* :func:`draw_cells_side_by_side` -- RNN, LSTM and GRU at the same scale.
"""

from __future__ import annotations

from numbers import Real

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

# colours: layers with weights yellow, elementwise operations pink, as in most LSTM
# diagrams since Olah's; the cell's outline grey; the four regions as in chapter 6
_INK = "#333333"
_GREY = "#666666"
_LAYER = ("#fdeeb5", "#a5810f")
_OP = ("#fbe0e8", "#a23b62")
_FRAME = ("#f4f4f4", "#b5b5b5")
_REGIONS = {  # name: (face, edge/label colour)
    "forget": ("#f7c9c4", "#b03a2e"),
    "learn": ("#c9e4c5", "#2e7d32"),
    "remember": ("#c7dcf2", "#1f5f9e"),
    "use": ("#e3d3ef", "#6a3d9a"),
}
_PATH = "#e67e22"  # the highlighted gradient path

_BOX = (0.5, 0.35)  # half width and half height of a layer box, in data units
_OP_R = 0.3  # radius of an operator circle
_FONT = 22.0  # points of font per inch of one data unit


class _Sketch:
    """An Axes in data units, with fonts, lines and arrow heads scaled to its size in inches."""

    def __init__(self, ax, width, xlim, ylim, font_scale=1.0):
        span_x, span_y = xlim[1] - xlim[0], ylim[1] - ylim[0]
        if ax is None:
            width = _check_width(width)
            fig = plt.figure(figsize=(width, width * span_y / span_x))
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        elif not isinstance(ax, Axes):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        fig = ax.figure
        box = ax.get_position()
        inch = min(box.width * fig.get_figwidth() / span_x,  # inches per data unit
                   box.height * fig.get_figheight() / span_y)
        self.ax, self.fig = ax, fig
        self.font = min(18.0, max(5.0, font_scale * _FONT * inch))
        self.small = max(5.0, 0.85 * self.font)
        self.lw = min(2.2, max(0.6, 2.4 * inch))
        self.head = max(4.0, 14.0 * inch)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.axis("off")

    def box(self, xy, text, gid, half=_BOX, colours=_LAYER):
        """A layer with weights: a rounded box with its squashing function written inside."""
        (x, y), (w, h) = xy, half
        self.ax.add_patch(FancyBboxPatch((x - w, y - h), 2 * w, 2 * h,
                                         boxstyle="round,pad=0,rounding_size=0.12",
                                         facecolor=colours[0], edgecolor=colours[1],
                                         linewidth=self.lw, gid=gid, zorder=3))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=self.font, zorder=4)

    def op(self, xy, symbol, gid, wide=False):
        """An elementwise operation: a circle (an ellipse for a wider symbol such as tanh)."""
        style = dict(facecolor=_OP[0], edgecolor=_OP[1], linewidth=self.lw, gid=gid, zorder=3)
        if wide:
            patch = Ellipse(xy, 4 * _OP_R, 2 * _OP_R, **style)
        else:
            patch = Circle(xy, _OP_R, **style)
        self.ax.add_patch(patch)
        self.ax.text(*xy, symbol, ha="center", va="center", zorder=4,
                     fontsize=self.small if wide else 1.15 * self.font)

    def wire(self, points, gid, arrow=True, colour=_INK):
        """A polyline through points, with an arrow head at its end if arrow is True."""
        path = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
        patch = FancyArrowPatch(path=path, arrowstyle="-|>" if arrow else "-",
                                mutation_scale=self.head, color=colour, linewidth=self.lw,
                                shrinkA=0, shrinkB=0, joinstyle="miter", capstyle="butt",
                                gid=gid, zorder=2)
        self.ax.add_patch(patch)
        return patch

    def hop(self, xy, over):
        """Where a horizontal wire passes under the vertical wire ``over``: a gap either side."""
        x, y = xy
        self.ax.plot([x - 0.16, x + 0.16], [y, y], color=_FRAME[0], linewidth=3 * self.lw,
                     solid_capstyle="butt", zorder=2.1, gid="hop")
        over.set_zorder(2.2)

    def dot(self, xy):
        """A junction, where one wire splits into two."""
        self.ax.add_patch(Circle(xy, 0.07, color=_INK, zorder=2.6, gid="junction"))

    def label(self, xy, text, ha="center", va="center", small=False, **kw):
        """A name next to a wire or a node."""
        kw.setdefault("color", _INK)
        return self.ax.text(*xy, text, ha=ha, va=va, zorder=5,
                            fontsize=self.small if small else self.font, **kw)

    def frame(self, corner0, corner1, gid="frame"):
        """The outline of one cell: everything inside is one time step's computation."""
        (x0, y0), (x1, y1) = corner0, corner1
        self.ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0,
                                         boxstyle="round,pad=0,rounding_size=0.35",
                                         facecolor=_FRAME[0], edgecolor=_FRAME[1],
                                         linewidth=self.lw, gid=gid, zorder=0))

    def region(self, name, corner0, corner1, label_at, ha="left", va="top"):
        """A shaded region with its name, drawn behind the wires."""
        (x0, y0), (x1, y1) = corner0, corner1
        face, edge = _REGIONS[name]
        self.ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0,
                                         boxstyle="round,pad=0,rounding_size=0.25",
                                         facecolor=face, edgecolor=edge, alpha=0.75,
                                         linewidth=0.8 * self.lw, linestyle="--",
                                         gid=f"region_{name}", zorder=1))
        self.label(label_at, name, ha=ha, va=va, color=edge, fontweight="bold")


def _check_width(width):
    if isinstance(width, bool) or not isinstance(width, Real) or not 1.0 <= width <= 40.0:
        raise ValueError(f"width: expected a figure width in inches between 1 and 40, got {width!r}")
    return float(width)


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return value


def _finish(sk, alt):
    """Attach the alt text to the figure (appended when several diagrams share one)."""
    old = getattr(sk.fig, "alt_text", "")
    sk.fig.alt_text = f"{old} {alt}".strip() if old else alt
    return sk.fig


# ---------------------------------------------------------------- the simple RNN

_RNN_W = 4.2  # width of one RNN cell, from where h_{t-1} enters to where h_t leaves
_RNN_Y = 1.0  # height of the state wire: the same as the LSTM's h wire


def _rnn_cell(sk, ox, t_x, gid, start=None):
    """One tanh RNN cell at offset ox, its h wire starting at start (ox if None)."""
    box = (ox + 2.1, _RNN_Y)
    sk.frame((ox + 0.6, _RNN_Y - 0.75), (ox + 3.6, _RNN_Y + 0.75), gid=f"frame{gid}")
    sk.box(box, r"$\tanh$", f"tanh{gid}", half=(0.6, 0.35))
    sk.wire([(ox if start is None else start, _RNN_Y), (box[0] - 0.6, _RNN_Y)], f"h_in{gid}")
    sk.wire([(box[0], -0.7), (box[0], _RNN_Y - 0.35)], f"x_in{gid}")
    sk.label((box[0] - 1.0, _RNN_Y + 0.08), r"$W_h$", va="bottom", small=True)
    sk.label((box[0] + 0.1, -0.05), r"$W_x$", ha="left", small=True)
    sk.label((box[0], -0.8), t_x, va="top")
    return box


def draw_rnn_cell(view="both", steps=3, width=8.0, ax=None):
    """Draw the tanh RNN cell, h_t = tanh(x_t W_x + h_{t-1} W_h + b).

    Inputs: view, "folded" (one cell whose output h_t loops back as the next step's
    h_{t-1}), "unfolded" (``steps`` copies of the cell in a chain, h_0 -> h_1 -> ...), or
    "both" (folded on the left, unfolded on the right); steps, the number of copies
    unfolded (1 to 6); width, the figure width in inches; ax, an Axes to draw into.
    Returns the Figure, with ``fig.alt_text``.
    """
    if view not in ("folded", "unfolded", "both"):
        raise ValueError(f"view: expected 'folded', 'unfolded' or 'both', got {view!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 6:
        raise ValueError(f"steps: expected an integer from 1 to 6, got {steps!r}")
    folded, unfolded = view in ("folded", "both"), view in ("unfolded", "both")
    gap = 2.6 if view == "both" else 0.0  # room for the titles and the unfolded h_0 label
    left = -1.6 if folded else -1.2
    right = (_RNN_W + 1.0 if folded else 0.0) + gap + (steps * _RNN_W if unfolded else 0.0) + 0.9
    top = 3.75 if view == "both" else 3.1
    sk = _Sketch(ax, width, (left, right), (-1.45, top), font_scale=1.3)  # a sparse picture
    alt = []
    if folded:
        _rnn_cell(sk, 0.0, r"$x_t$", "", start=0.35)
        sk.wire([(2.7, _RNN_Y), (_RNN_W + 0.4, _RNN_Y)], "h_out")
        sk.dot((3.9, _RNN_Y))
        sk.wire([(3.9, _RNN_Y), (3.9, 2.75), (0.35, 2.75), (0.35, _RNN_Y), (0.6, _RNN_Y)],
                "loop", arrow=False)
        sk.label((_RNN_W + 0.5, _RNN_Y), r"$h_t$", ha="left")
        sk.label((0.25, 1.75), r"$h_{t-1}$", ha="right")
        sk.label((2.1, 2.67), "one step later", va="top", small=True, color=_GREY)
        alt.append("A simple RNN cell, a box labelled tanh inside a grey outline. The input "
                   "x_t enters from below through W_x and the previous state h_{t-1} from the "
                   "left through W_h; the new state h_t leaves on the right and loops back "
                   "over the top, marked 'one step later', to become the next step's h_{t-1}.")
        if view == "both":
            sk.label((2.1, top - 0.05), "folded", va="top", color=_GREY)
    if unfolded:
        ox0 = (_RNN_W + 1.0 + gap) if folded else 0.0
        sk.label((ox0 - 0.1, _RNN_Y), r"$h_0$", ha="right")
        for t in range(1, steps + 1):
            ox = ox0 + (t - 1) * _RNN_W
            _rnn_cell(sk, ox, f"$x_{{{t}}}$", f"_{t}", start=None if t == 1 else ox - 1.5)
            if t < steps:  # the wire from this cell's box to the next box carries h_t
                sk.label((ox + _RNN_W, _RNN_Y - 0.12), f"$h_{{{t}}}$", va="top", small=True)
        end = ox0 + steps * _RNN_W
        sk.wire([(end - 1.5, _RNN_Y), (end + 0.2, _RNN_Y)], "h_out_unfolded")
        sk.label((end + 0.3, _RNN_Y), f"$h_{{{steps}}}$", ha="left")
        alt.append(f"The same cell unfolded over {steps} steps, {steps} copies of it side by "
                   f"side, each reading its own input x_1 to x_{steps} from below, the state "
                   f"running from h_0 on the left through each copy to h_{steps} on the right; "
                   "every copy has the same weights W_x and W_h.")
        if view == "both":
            sk.label((ox0 + steps * _RNN_W / 2, top - 0.05), f"unfolded over {steps} steps",
                     va="top", color=_GREY)
    return _finish(sk, " ".join(alt))


# ---------------------------------------------------------------- the carousel

def draw_carousel(gated=False, width=6.0, ax=None):
    """Draw the constant error carousel of chapter 5, bare or gated.

    Bare (gated=False): eq. (eq-cec), y_t = y_{t-1} + x_t, a unit whose state feeds
    itself through a weight of exactly 1 with no squashing. Gated (gated=True):
    eqs. (eq-gated-cell) and (eq-gated-out), c_t = c_{t-1} + i_t g_t and y_t = o_t c_t,
    the same loop with an input gate on the way in and an output gate on the way out.
    Both are drawn on the same grid, so the two pictures line up. Returns the Figure,
    with ``fig.alt_text``.
    """
    gated = _check_bool("gated", gated)
    sk = _Sketch(ax, width, (-0.3, 9.0) if gated else (-0.3, 7.3),
                 (-2.45, 3.0) if gated else (-1.35, 3.0))
    add, y = (3.2, 1.0), 1.0
    state, prev = (r"$c_t$", r"$c_{t-1}$") if gated else (r"$y_t$", r"$y_{t-1}$")
    sk.frame((0.9, -1.05 if gated else 0.2), (7.3 if gated else 5.6, 2.75))
    sk.op(add, "+", "op_add")
    sk.dot((5.0, y))
    sk.wire([(5.0, y), (5.0, 2.3), (1.5, 2.3), (1.5, y), (add[0] - _OP_R, y)], "loop",
            colour=_PATH)
    sk.label((3.25, 2.38), "weight 1, no squashing", va="bottom", small=True, color=_PATH)
    sk.label((1.62, 1.62), prev, ha="left")
    if not gated:
        sk.wire([(add[0] + _OP_R, y), (6.3, y)], "out")
        sk.wire([(add[0], -0.6), (add[0], y - _OP_R)], "x_in")
        sk.label((add[0], -0.7), r"$x_t$", va="top")
        sk.label((6.4, y), state, ha="left")
        alt = ("The constant error carousel. An input x_t enters a plus sign from below; the "
               "sum leaves on the right as the state y_t, and a wire loops back from it over "
               "the top, labelled 'weight 1, no squashing', into the plus sign as y_{t-1}. "
               "So y_t = y_{t-1} + x_t.")
        return _finish(sk, alt)
    write, read = (3.2, -0.4), (6.4, y)
    sk.op(write, "×", "op_write")
    sk.op(read, "×", "op_read")
    sk.wire([(write[0], write[1] + _OP_R), (add[0], y - _OP_R)], "write_out")
    sk.wire([(write[0], -1.85), (write[0], write[1] - _OP_R)], "g_in")
    sk.wire([(1.6, write[1]), (write[0] - _OP_R, write[1])], "gate_i")
    sk.wire([(add[0] + _OP_R, y), (read[0] - _OP_R, y)], "c_out")
    sk.wire([(read[0], -1.6), (read[0], y - _OP_R)], "gate_o")
    sk.wire([(read[0] + _OP_R, y), (8.0, y)], "out")
    sk.label((write[0], -1.95), r"$g_t$", va="top")
    sk.label((1.5, write[1]), "input gate $i_t$", ha="right", small=True)
    sk.label((read[0], -1.7), "output gate $o_t$", va="top", small=True)
    sk.label((5.7, y + 0.08), state, va="bottom")
    sk.label((8.1, y), r"$y_t$", ha="left")
    alt = ("The gated carousel. The same loop of weight 1 on the cell state, from c_t back over "
           "the top into a plus sign as c_{t-1}. Below the plus sign, the candidate g_t is "
           "multiplied by the input gate i_t before it is added; on the right, the cell state "
           "c_t is multiplied by the output gate o_t to give the output y_t. So "
           "c_t = c_{t-1} + i_t g_t and y_t = o_t c_t.")
    return _finish(sk, alt)


# ---------------------------------------------------------------- the LSTM

_C_Y, _H_Y, _GATE_Y, _MID_Y = 6.0, 1.0, 2.8, 4.5  # heights of the wires and the rows
_LSTM_END = 12.0  # where c_t and h_t leave
# the four layers: name -> (x, squashing function, label of their output)
_LSTM_LAYERS = {
    "f": (2.6, r"$\sigma$", r"$f_t$"),
    "i": (4.4, r"$\sigma$", r"$i_t$"),
    "g": (5.8, r"$\tanh$", r"$g_t$"),
    "o": (8.2, r"$\sigma$", r"$o_t$"),
}
_LSTM_OPS = {  # name -> (centre, symbol)
    "forget": ((2.6, _C_Y), "×"),
    "learn": ((5.8, _MID_Y), "×"),
    "add": ((5.8, _C_Y), "+"),
    "use": ((9.6, _GATE_Y), "×"),
}
_TANH_C = (9.6, _MID_Y)
# 003's gates as regions: name -> (lower left, upper right, label position, ha)
_LSTM_REGIONS = {
    "forget": ((1.95, 2.2), (3.25, 6.95), (2.6, 6.88), "center"),
    "learn": ((3.75, 2.2), (6.45, 5.15), (3.85, 5.08), "left"),
    "remember": ((5.05, 5.4), (7.35, 6.95), (6.2, 6.88), "center"),
    "use": ((7.55, 2.2), (10.45, 5.15), (7.65, 5.08), "left"),
}


#: the wires each gate scales: what passes its multiplication
_GATED_WIRES = {"f": ("c_kept",), "i": ("learn_out",), "o": ("h_out",)}


def _check_gates(gates):
    if gates is None:
        return None
    if not isinstance(gates, dict) or set(gates) - set("fio"):
        raise ValueError(f"gates: expected None or a dict with keys among 'f', 'i', 'o', got {gates!r}")
    for name, value in gates.items():
        if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= value <= 1.0:
            raise ValueError(f"gates: expected values in [0, 1], got {name}={value!r}")
    return {name: float(value) for name, value in gates.items()}


def _shade_gates(sk, gates, gradient_band):
    """Each gated wire as strong as its gate is open; the gate's value beside its box."""
    for name, value in gates.items():
        for patch in sk.ax.patches:
            if patch.get_gid() in _GATED_WIRES[name]:
                patch.set_alpha(0.12 + 0.88 * value)
                patch.set_linewidth(sk.lw * (0.4 + 1.6 * value))
        x = _LSTM_LAYERS[name][0]
        sk.label((x, _GATE_Y - _BOX[1] - 0.12), f"{value:.2f}", va="top", small=True,
                 color=_REGIONS[{"f": "forget", "i": "learn", "o": "use"}[name]][1],
                 fontweight="bold", gid=f"value_{name}",
                 bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
    if gradient_band is not None and "f" in gates:
        gradient_band.set_alpha(0.1 + 0.5 * gates["f"])


def _lstm(sk, regions, gradient_path, gates=None):
    """Draw the LSTM cell into a sketch whose wires run from x = 0 to x = _LSTM_END."""
    sk.frame((0.7, 0.35), (11.0, 7.15))
    if regions:
        for name, (lo, hi, at, ha) in _LSTM_REGIONS.items():
            sk.region(name, lo, hi, at, ha=ha)
    for name, (x, fn, _) in _LSTM_LAYERS.items():
        sk.box((x, _GATE_Y), fn, f"gate_{name}")
    for name, (xy, symbol) in _LSTM_OPS.items():
        sk.op(xy, symbol, f"op_{name}")
    sk.op(_TANH_C, r"$\tanh$", "op_tanh", wide=True)
    top, bottom = _GATE_Y + _BOX[1], _GATE_Y - _BOX[1]
    (fx, _), (ax_, ay), (px, py), (ux, uy) = (_LSTM_OPS[k][0] for k in
                                               ("forget", "learn", "add", "use"))
    # the cell state: c_{t-1} -> forget x -> + -> c_t, with a branch down through tanh
    sk.wire([(0.0, _C_Y), (fx - _OP_R, _C_Y)], "c_in")
    sk.wire([(fx + _OP_R, _C_Y), (px - _OP_R, _C_Y)], "c_kept")
    sk.wire([(px + _OP_R, _C_Y), (_LSTM_END, _C_Y)], "c_out")
    sk.dot((_TANH_C[0], _C_Y))
    sk.wire([(_TANH_C[0], _C_Y), (_TANH_C[0], _MID_Y + _OP_R)], "c_to_tanh")
    sk.wire([(_TANH_C[0], _MID_Y - _OP_R), (ux, uy + _OP_R)], "tanh_to_use")
    # the gates' outputs
    fxl, ixl, gxl, oxl = (_LSTM_LAYERS[k][0] for k in "figo")
    sk.wire([(fxl, top), (fx, _C_Y - _OP_R)], "f_out")
    sk.wire([(ixl, top), (ixl, ay), (ax_ - _OP_R, ay)], "i_out")
    sk.wire([(gxl, top), (ax_, ay - _OP_R)], "g_out")
    sk.wire([(ax_, ay + _OP_R), (px, py - _OP_R)], "learn_out")
    sk.wire([(oxl + _BOX[0], _GATE_Y), (ux - _OP_R, uy)], "o_out")
    sk.wire([(ux, uy - _OP_R), (ux, _H_Y), (_LSTM_END, _H_Y)], "h_out")
    # the inputs: h_{t-1} from the left, x_t from below, joined into one bus to the gates
    sk.wire([(0.0, _H_Y), (oxl, _H_Y), (oxl, bottom)], "bus")
    sk.wire([(1.4, -0.7), (1.4, _H_Y)], "x_in", arrow=False)
    sk.dot((1.4, _H_Y))
    for x in (fxl, ixl, gxl):
        sk.dot((x, _H_Y))
        sk.wire([(x, _H_Y), (x, bottom)], "bus_branch")
    # names
    for name, (x, _, text) in _LSTM_LAYERS.items():
        if name == "o":
            sk.label(((oxl + _BOX[0] + ux - _OP_R) / 2, _GATE_Y + 0.08), text, va="bottom")
        else:
            sk.label((x + 0.1, top + 0.45), text, ha="left")
    sk.label((-0.1, _C_Y), r"$c_{t-1}$", ha="right")
    sk.label((-0.1, _H_Y), r"$h_{t-1}$", ha="right")
    sk.label((1.4, -0.8), r"$x_t$", va="top")
    sk.label((_LSTM_END + 0.1, _C_Y), r"$c_t$", ha="left")
    sk.label((_LSTM_END + 0.1, _H_Y), r"$h_t$", ha="left")
    band = None
    if gradient_path:
        band = sk.wire([(_LSTM_END, _C_Y), (0.0, _C_Y)], "gradient_path", arrow=False,
                       colour=_PATH)
        band.set_linewidth(7 * sk.lw)
        band.set_alpha(0.5)
        band.set_zorder(1.5)
        sk.wire([(_LSTM_END - 0.4, 7.55), (0.4, 7.55)], "gradient_arrow", colour=_PATH)
        sk.label((_LSTM_END, 7.55), r"$\partial E/\partial c_t$", ha="left", color=_PATH)
        sk.label((0.3, 7.55), r"$\partial E/\partial c_{t-1}$", ha="right", color=_PATH)
        sk.label((6.2, 7.65), r"$\partial E/\partial c_{t-1} = \partial E/\partial c_t \odot f_t$: "
                 r"no weight matrix, "
                 r"no $\tanh'$", va="bottom", small=True, color=_PATH,
                 bbox=dict(facecolor="white", edgecolor="none", pad=1.0))
    if gates:
        _shade_gates(sk, gates, band)


def draw_lstm_cell(regions=True, gradient_path=False, width=8.0, ax=None, gates=None):
    """Draw the LSTM cell, eqs. (eq-lstm-gates) and (eq-lstm-state) of chapter 6.

    c_t = f_t * c_{t-1} + i_t * g_t and h_t = o_t * tanh(c_t), with the gates i, f, o
    (sigmoids) and the candidate g (a tanh) all read from [h_{t-1}, x_t]. The cell state
    runs along the top through the forget multiply and the central plus sign; the
    output h_t leaves at the bottom right. regions=True shades source 003's four gates:
    forget (f_t times c_{t-1}), learn (g_t times i_t), remember (the plus sign that
    makes c_t) and use (o_t times tanh(c_t), giving h_t). gradient_path=True highlights
    the path of an error from c_t back to c_{t-1}, through the forget gate only.
    gates: None, or the values in [0, 1] of some of the gates, e.g. ``{"f": 0.9, "i": 0.1,
    "o": 1.0}``: each gated wire (what passes the forget, learn and use multiplications) is
    drawn as strong as its gate is open, with the value under the gate's box.
    width: the figure width in inches; ax: an Axes to draw into. Returns the Figure,
    with ``fig.alt_text``.
    """
    regions = _check_bool("regions", regions)
    gradient_path = _check_bool("gradient_path", gradient_path)
    gates = _check_gates(gates)
    sk = _Sketch(ax, width, (-1.35, _LSTM_END + 1.05), (-1.45, 8.35 if gradient_path else 7.45))
    _lstm(sk, regions, gradient_path, gates)
    alt = ("An LSTM cell inside a grey outline. The cell state c_{t-1} enters at the top left "
           "and runs straight across; it is multiplied by the forget gate f_t, then a plus "
           "sign adds the candidate g_t multiplied by the input gate i_t, and c_t leaves at "
           "the top right. The previous state h_{t-1} enters at the bottom left, the input "
           "x_t joins it from below, and together they feed four boxes, sigmoids for f_t, "
           "i_t and o_t and a tanh for g_t. On the right, a copy of c_t goes through tanh "
           "and is multiplied by the output gate o_t to give h_t, which leaves at the "
           "bottom right.")
    if regions:
        alt += (" Four shaded regions name source 003's gates. Forget around f_t and its "
                "multiplication with c_{t-1}; learn around i_t, g_t and their product; "
                "remember around the plus sign that makes the new c_t; use around o_t, the "
                "tanh of c_t and their product h_t.")
    if gradient_path:
        alt += (" The cell-state line is highlighted in orange, with an arrow pointing back "
                "from dE/dc_t to dE/dc_{t-1} and the note dE/dc_{t-1} = dE/dc_t times "
                "f_t; along this path there is no weight matrix and no tanh derivative.")
    if gates:
        words = {"f": "the kept cell state after the forget gate", "i": "the learned part after "
                 "the input gate", "o": "the output h_t after the use gate"}
        alt += " Gate values: " + "; ".join(
            f"{name}_t = {value:.2f}, so {words[name]} is drawn "
            f"{'faint' if value < 0.34 else 'half strong' if value < 0.67 else 'full'}"
            for name, value in gates.items()) + "."
    return _finish(sk, alt)


# ---------------------------------------------------------------- the GRU

_GRU_END = 10.4
_GRU_LAYERS = {  # name -> (x, squashing function)
    "r": (2.4, r"$\sigma$"),
    "z": (3.6, r"$\sigma$"),
    "n": (6.4, r"$\tanh$"),
}
_GRU_OPS = {  # name -> (centre, symbol)
    "reset": ((2.4, 4.2), "×"),
    "keep": ((3.6, _C_Y), "×"),
    "one_minus": ((5.3, 5.2), "1−"),
    "new": ((8.4, 4.0), "×"),
    "add": ((8.4, _C_Y), "+"),
}


def _gru(sk):
    """Draw the GRU cell into a sketch whose wires run from x = 0 to x = _GRU_END."""
    sk.frame((0.5, -0.05), (9.3, 6.95))
    for name, (x, fn) in _GRU_LAYERS.items():
        sk.box((x, _GATE_Y), fn, f"gate_{name}")
    for name, (xy, symbol) in _GRU_OPS.items():
        sk.op(xy, symbol, f"op_{name}", wide=name == "one_minus")
    top, bottom = _GATE_Y + _BOX[1], _GATE_Y - _BOX[1]
    (rx, _), (zx, _), (nx, _) = (_GRU_LAYERS[k] for k in "rzn")
    (sx, sy), (kx, ky), (mx, my), (wx, wy), (px, py) = (
        _GRU_OPS[k][0] for k in ("reset", "keep", "one_minus", "new", "add"))
    drop, xin, bus_x = 0.9, 1.6, 0.3
    # the state: h_{t-1} -> keep x -> + -> h_t, and down the left side into the gates
    sk.wire([(0.0, _C_Y), (kx - _OP_R, _C_Y)], "h_in")
    sk.wire([(kx + _OP_R, _C_Y), (px - _OP_R, _C_Y)], "h_kept")
    sk.wire([(px + _OP_R, _C_Y), (_GRU_END, _C_Y)], "h_out")
    sk.dot((drop, _C_Y))
    sk.wire([(drop, _C_Y), (drop, _H_Y), (zx, _H_Y), (zx, bottom)], "bus")
    sk.dot((rx, _H_Y))
    sk.wire([(rx, _H_Y), (rx, bottom)], "bus_branch")
    sk.dot((drop, sy))
    sk.wire([(drop, sy), (sx - _OP_R, sy)], "h_to_reset")
    # x_t joins the bus to the gates, and goes on its own to the candidate
    sk.wire([(xin, -0.7), (xin, _H_Y)], "x_in", arrow=False)
    sk.dot((xin, _H_Y))
    sk.dot((xin, bus_x))
    sk.wire([(xin, bus_x), (nx, bus_x), (nx, bottom)], "x_to_n")
    # reset: r_t * h_{t-1} is what the candidate sees of the old state
    sk.wire([(rx, top), (sx, sy - _OP_R)], "r_out")
    sk.wire([(sx + _OP_R, sy), (nx, sy), (nx, top)], "reset_out")
    # update: z_t keeps the old state, 1 - z_t lets the candidate in
    sk.hop((zx, sy), sk.wire([(zx, top), (kx, ky - _OP_R)], "z_out"))
    sk.dot((zx, my))
    sk.wire([(zx, my), (mx - 2 * _OP_R, my)], "z_to_one_minus")
    sk.wire([(mx + 2 * _OP_R, my), (7.6, my), (7.6, wy), (wx - _OP_R, wy)], "one_minus_out")
    sk.wire([(nx + _BOX[0], _GATE_Y), (wx, _GATE_Y), (wx, wy - _OP_R)], "n_out")
    sk.wire([(wx, wy + _OP_R), (px, py - _OP_R)], "new_out")
    # names
    sk.label((rx + 0.1, top + 0.4), r"$r_t$", ha="left")
    sk.label((zx + 0.1, top + 0.4), r"$z_t$", ha="left")
    sk.label(((nx + _BOX[0] + wx) / 2, _GATE_Y + 0.08), r"$n_t$", va="bottom")
    sk.label((6.75, my + 0.08), r"$1-z_t$", va="bottom", small=True)
    sk.label((4.9, sy + 0.08), r"$r_t \odot h_{t-1}$", va="bottom", small=True)
    sk.label((rx - _BOX[0] - 0.08, _GATE_Y), "reset", ha="right", small=True, color=_GREY)
    sk.label((zx + _BOX[0] + 0.08, _GATE_Y), "update", ha="left", small=True, color=_GREY)
    sk.label((nx + 0.15, _GATE_Y - _BOX[1] - 0.1), "candidate", ha="left", va="top",
             small=True, color=_GREY)
    sk.label((-0.1, _C_Y), r"$h_{t-1}$", ha="right")
    sk.label((xin, -0.8), r"$x_t$", va="top")
    sk.label((_GRU_END + 0.1, _C_Y), r"$h_t$", ha="left")


def draw_gru_cell(width=7.0, ax=None):
    """Draw the GRU cell, eqs. (eq-gru-z) to (eq-gru-h) of chapter 7.

    z_t and r_t are sigmoid gates read from [h_{t-1}, x_t]; the candidate
    n_t = tanh(x_t W_xn + (r_t * h_{t-1}) W_hn + b_n) sees the old state through the reset
    gate; the new state is h_t = z_t * h_{t-1} + (1 - z_t) * n_t, so z_t multiplies the
    old state (chapter 7's convention). The state runs along the top, as the LSTM's cell
    state does. width: the figure width in inches; ax: an Axes to draw into.
    Returns the Figure, with ``fig.alt_text``.
    """
    sk = _Sketch(ax, width, (-1.35, _GRU_END + 1.05), (-1.45, 7.45))
    _gru(sk)
    alt = ("A GRU cell inside a grey outline. The state h_{t-1} enters at the top left and runs "
           "straight across; it is multiplied by the update gate z_t, a plus sign adds the "
           "candidate n_t multiplied by 1 - z_t, and h_t leaves at the top right. A copy of "
           "h_{t-1} runs down the left side and, joined by the input x_t from below, feeds "
           "two sigmoid boxes, the reset gate r_t and the update gate z_t. The reset gate "
           "multiplies h_{t-1}, and that product r_t times h_{t-1}, together with x_t, feeds "
           "a tanh box that gives the candidate n_t. The update gate's wire goes up to the "
           "multiplication with h_{t-1} and, through a 1 minus node, to the multiplication "
           "with n_t.")
    return _finish(sk, alt)


# ---------------------------------------------------------------- side by side

def draw_cells_side_by_side(width=12.0):
    """The tanh RNN, the LSTM and the GRU at the same scale, one panel each.

    Each panel is titled with the cell's name, the number of weight blocks (1, 4, 3
    times D H + H^2 + H parameters) and the states it carries. width: the figure width
    in inches. Returns the Figure, with ``fig.alt_text``.
    """
    width = _check_width(width)
    ylim = (-1.45, 8.2)
    panels = [  # x limits, title, drawing function
        ((-1.45, _RNN_W + 0.95), "tanh RNN\n1 block of weights, state $h_t$",
         lambda sk: (_rnn_cell(sk, 0.0, r"$x_t$", ""),
                     sk.wire([(2.7, _RNN_Y), (_RNN_W, _RNN_Y)], "h_out"),
                     sk.label((-0.1, _RNN_Y), r"$h_{t-1}$", ha="right"),
                     sk.label((_RNN_W + 0.1, _RNN_Y), r"$h_t$", ha="left"))),
        ((-1.35, _LSTM_END + 1.05), "LSTM\n4 blocks ($i, f, o, g$), states $c_t$ and $h_t$",
         lambda sk: _lstm(sk, regions=False, gradient_path=False)),
        ((-1.35, _GRU_END + 1.05), "GRU\n3 blocks ($z, r, n$), state $h_t$",
         lambda sk: _gru(sk)),
    ]
    spans = [hi - lo for (lo, hi), _, _ in panels]
    total = sum(spans)
    height = width * (ylim[1] - ylim[0]) / total
    fig = plt.figure(figsize=(width, height))
    x = 0.0
    for ((lo, hi), title, draw), span in zip(panels, spans):
        ax = fig.add_axes((x / total, 0.0, span / total, 1.0))
        sk = _Sketch(ax, None, (lo, hi), ylim, font_scale=1.25)  # sparse enough for larger text
        draw(sk)
        sk.label(((lo + hi) / 2, ylim[1] - 0.05), title, va="top")
        x += span
    fig.alt_text = (
        "Three cells drawn at the same scale, left to right. The tanh RNN, where h_{t-1} from the "
        "left and x_t from below enter a single tanh box, and h_t leaves on the right. The "
        "LSTM, much larger, with a cell-state line c_{t-1} to c_t along the top with a forget "
        "multiplication and a plus sign, four boxes (f, i, g, o) fed by h_{t-1} and x_t, "
        "and h_t = o_t times tanh(c_t) leaving at the bottom right. The GRU, a little "
        "smaller than the LSTM, with one state line h_{t-1} to h_t along the top with a "
        "multiplication by z_t and a plus sign, two sigmoid gates r and z and a tanh "
        "candidate n fed through the reset gate.")
    return fig
