"""What a lane's zygote does before any student: its warm-up changes how fast a run
draws, never what it draws or which checks it gets.

Each test runs in a fresh interpreter, since the warm-up changes matplotlib's classes
for the whole process.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

COURSE = pathlib.Path(__file__).resolve().parents[1] / "rnnlib" / "course"  # zygote.py and runner.py


def _python(code):
    """Run ``code`` beside zygote.py (as the jail has it: ``import runner``); its stdout."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(COURSE)})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


FIGURE = """
    import io
    import matplotlib.pyplot as plt
    import numpy as np

    def figure_png():
        fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3))
        a.semilogy(np.arange(50), np.logspace(-24, 25, 50), label=r"$\\|\\partial h\\|$")
        a.legend()
        b.plot([0, 1], [2, 3])
        b.set_title(r"forget gate $f_t$")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        return buffer.getvalue()
"""


def test_figures_are_the_same_pixels_with_the_shared_mathtext_cache():
    out = _python(FIGURE + """
    import hashlib
    before = [hashlib.sha256(figure_png()).hexdigest() for _ in range(2)]
    import zygote
    zygote.warm()
    after = [hashlib.sha256(figure_png()).hexdigest() for _ in range(2)]
    print(len(set(before)), before[0] == after[0] == after[1])
    """)
    assert out.split() == ["1", "True"]


def test_a_label_is_parsed_once_for_all_renderers_and_the_warm_up_parsed_log_labels():
    out = _python("""
    from matplotlib import mathtext
    parse = mathtext.MathTextParser._parse_cached.__wrapped__
    calls = []

    def counted(self, *args):
        calls.append(args[0])
        return parse(self, *args)

    counted.__wrapped__ = counted
    mathtext.MathTextParser._parse_cached = counted
    import zygote
    zygote.warm()
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    warm = len(calls)
    for _ in range(3):  # three renderers, as three figures have
        renderer = RendererAgg(10, 10, 100)
        renderer.get_text_width_height_descent(r"$\\mathdefault{10^{-17}}$", FontProperties(size=10), ismath=True)
        renderer.get_text_width_height_descent(r"$\\alpha_t$", FontProperties(size=10), ismath=True)
    print(len(zygote.LOG_LABELS), warm, len(calls) - warm, calls[warm:])
    """)
    labels, warm, later, rest = out.split(maxsplit=3)
    assert int(warm) >= int(labels) > 0
    assert int(later) == 1 and "alpha" in rest  # 10^-17 was parsed before; alpha_t once, not three times


def test_a_change_of_mathtext_settings_is_not_served_from_the_cache():
    out = _python("""
    import matplotlib
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    import zygote
    zygote.share_mathtext()

    def glyphs():
        parsed = RendererAgg(10, 10, 100).mathtext_parser.parse("$x$", 100, FontProperties(size=10))
        return [(glyph[0].fname, glyph[2]) for glyph in parsed.glyphs]  # (font, size, code, ...)

    italic = glyphs()
    matplotlib.rcParams["mathtext.default"] = "rm"
    upright = glyphs()
    matplotlib.rcParams["mathtext.default"] = "it"
    print(italic != upright, italic == glyphs())
    """)
    assert out.split() == ["True", "True"]


def test_the_warm_up_never_imports_the_real_checks():
    """A run's ``rnnlib.checks`` must be its stand-in: were the real module imported
    before the run, ``from rnnlib.checks import ...`` would find it in sys.modules."""
    out = _python("""
    import sys
    import zygote
    zygote.warm()
    print("rnnlib.checks" in sys.modules, "array_api_compat.numpy" in sys.modules)
    """)
    assert out.split() == ["False", "True"]
