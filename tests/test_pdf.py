"""The book as a PDF (`make pdf`): it builds, and its text is the book, typeset.

The PDF is built in the temporary copy that `built_book` (tests/conftest.py) builds the
HTML in, with the same command as `make pdf`, so the chapters are executed once for both
(the second build reads the first's execution cache). Its text, as `pdftotext` reads
it, must hold every chapter's title, every numbered equation of every chapter, one
caption per figure of the sources, and no LaTeX source, unresolved reference or image
placeholder; the LaTeX log must report no glyph missing from the fonts.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from test_book import CHAPTERS, ROOT

TOOLS = ("latexmk", "xelatex", "pdftotext", "pdfinfo", "pdfimages")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.pdf,
    pytest.mark.requires_tool,
    pytest.mark.skipif(bool(MISSING), reason=f"{', '.join(MISSING)} not found: install TeX and "
                       "poppler-utils as .ci/run does (README.md, 'The book')"),
]

# What LaTeX source looks like when it reaches the page unrendered.
LATEX_SOURCE = re.compile(r"\$\$|\$[^$\n]{0,40}\\[A-Za-z]|\\(frac|tanh|partial|sum|prod|mathrm|mathbf|"
                          r"odot|sigma|top|cdot|sqrt|left|right|begin|end|label|eqref|operatorname)\b")
# Unresolved references (LaTeX prints ??), images Sphinx could not place, a figure or a
# widget printed as its text repr (Figure(720x350), VBox(children=(...))) instead of drawn.
PLACEHOLDERS = re.compile(r"\?\?|\[image\]|\[Image\]|Loading widget|widget-view|children=\(|"
                          r"<Figure size|Figure\(\d+x\d+\)")
DISPLAY_LABEL = re.compile(r"^\$\$ *\([\w-]+\)", re.M)
FIGURE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)


def first_heading(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def figures_in(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    cells = 0
    for cell in FIGURE_CELL.findall(text):
        if "figure:" in "\n".join(line for line in cell.splitlines() if line.startswith(":")):
            cells += 1
    return cells + text.count("```{figure}")


def squash(text):
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def built_pdf(built_book):
    """`make pdf` in built_book's copy: ``(pdf path, completed process, pdftotext text)``."""
    html, _ = built_book
    work = html.parent.parent
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}",
           "OPENBLAS_NUM_THREADS": "1", "RNNLIB_BOOK_BUILD": "1"}
    shutil.rmtree(work / "_build" / "latex", ignore_errors=True)
    jb = pathlib.Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", ".", "--builder", "pdflatex", "-W", "-n", "--keep-going"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=900)
    pdf = work / "_build" / "latex" / "book.pdf"
    text = ""
    if pdf.is_file():
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    return pdf, proc, text


def test_pdf_builds_without_warnings(built_pdf):
    pdf, proc, _ = built_pdf
    log = proc.stdout + proc.stderr
    warnings = [line for line in log.splitlines()
                if ("WARNING" in line or "ERROR" in line) and not line.startswith("[IPKernelApp]")]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    assert pdf.is_file()
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    assert 100 <= pages <= 400, f"{pages} pages"


def test_pdf_has_every_chapter_title(built_pdf):
    _, _, text = built_pdf
    assert text, "no PDF text"
    flat = squash(text).lower()
    for chapter in CHAPTERS:
        title = squash(first_heading(chapter)).lower()
        # in the table of contents and at the chapter's start (or its page headers)
        assert flat.count(title) >= 2, f"{chapter}: title {title!r}"


def test_pdf_has_no_latex_source_or_placeholders(built_pdf):
    pdf, _, text = built_pdf
    assert text, "no PDF text"
    for pattern in (LATEX_SOURCE, PLACEHOLDERS):
        found = [text[max(m.start() - 60, 0):m.end() + 60] for m in pattern.finditer(text)]
        assert not found, "\n---\n".join(found[:10])
    log = (pdf.with_suffix(".log")).read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log)))
    assert not missing, f"glyphs the fonts lack: {missing}"
    assert "There were undefined references" not in log


def test_pdf_numbers_every_labelled_equation(built_pdf):
    _, _, text = built_pdf
    numbers = set(re.findall(r"\((\d+\.\d+)\)", text))
    # chapter n of the table of contents (after the preface) numbers its equations (n.1), (n.2)...
    for n, chapter in enumerate(CHAPTERS[1:], start=1):
        labelled = len(DISPLAY_LABEL.findall((ROOT / f"{chapter}.md").read_text()))
        want = {f"{n}.{k}" for k in range(1, labelled + 1)}
        assert want <= numbers, f"{chapter}: equations {sorted(want - numbers)} not in the PDF"
    assert sum(len(DISPLAY_LABEL.findall((ROOT / f"{c}.md").read_text())) for c in CHAPTERS) > 20


def test_pdf_has_every_figure(built_pdf):
    pdf, _, text = built_pdf
    # one caption per figure of the sources (the explorers' starting states among them) ...
    want = sum(figures_in(c) for c in CHAPTERS)
    # (a caption starts a line: "Fig. 3.5: The schedule ..."; the prose's references need not)
    captions = set(re.findall(r"^Fig\. (\d+\.\d+):", text, re.M))
    assert len(captions) == want, f"{len(captions)} figure captions in the PDF, {want} in the sources"
    # ... and an image embedded for each
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert len(listing) >= want, f"{len(listing)} images embedded, {want} figures"


def test_pdf_has_the_bibliography(built_pdf):
    _, _, text = built_pdf
    flat = squash(text)
    assert "Bibliography" in flat
    for author in ("Elman", "Hochreiter", "Pascanu", "Werbos"):
        assert author in flat, author
