"""The book: chapter sources follow the house rules, and the whole book builds clean.

The build test copies the book into a temporary folder and runs the same command as
`make book` (`jupyter-book build . -W -n --keep-going`) with a cold execution cache, so
a failing cell, a broken reference or any warning fails it.
"""

import json
import os
import pathlib
import re

import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_links  # noqa: E402  (tools/book_links.py: the repository setting)
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files():
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    files += [c["file"] for c in TOC.get("chapters", [])]
    return files


CHAPTERS = toc_files()
EXERCISES = {"02": "02-unrolling", "03": "03-bptt", "04": "04-gradients", "05": "05-cec",
             "06": "06-lstm", "07": "07-gru"}


def test_toc_lists_the_preface_and_eight_chapters():
    assert [pathlib.Path(f).name[:2] for f in CHAPTERS] == [f"{i:02d}" for i in range(9)]
    for f in CHAPTERS:
        assert (ROOT / f"{f}.md").is_file(), f


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_a_myst_notebook_without_outputs(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    assert text.startswith("---\njupytext:"), "jupytext header first"
    assert "format_name: myst" in text.split("---", 2)[1]
    assert "```{code-cell}" in text, "a chapter runs code"
    assert "import rnnlib" in text or "from rnnlib" in text
    assert '"output_type"' not in text


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_cell_has_caption_and_alt_text(chapter):
    text = (ROOT / f"{chapter}.md").read_text()
    for cell in re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S):
        header = "\n".join(line for line in cell.splitlines() if line.startswith(":"))
        if "figure:" in header:
            assert "caption:" in header and "alt:" in header, cell[:200]


@pytest.mark.parametrize("number,assignment", sorted(EXERCISES.items()))
def test_chapter_links_its_assignment(number, assignment):
    chapter = next(ROOT / f"{c}.md" for c in CHAPTERS if pathlib.Path(c).name.startswith(number))
    # a {download} link: the notebook is served with the site, under _downloads/
    assert f"</exercises/{assignment}/{assignment}.ipynb>`" in chapter.read_text()


def test_assignments_are_numbered_after_their_chapters():
    """Chapter N's assignment is NN-<topic>, and its notebook's title says "Assignment N"."""
    assert sorted(EXERCISES.values()) == sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for number, assignment in EXERCISES.items():
        assert assignment.startswith(f"{number}-"), assignment
        for folder in ("solutions", "exercises"):
            nb = json.loads((ROOT / folder / assignment / f"{assignment}.ipynb").read_text())
            title = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
            assert "".join(title["source"]).startswith(f"# Assignment {int(number)}: "), (folder, assignment)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_link_no_repository_of_their_own(chapter):
    """Links into the book's repository come from `repository.url` (tools/book_links.py),
    never written into a chapter, where they would outlive a change of the setting."""
    text = (ROOT / f"{chapter}.md").read_text().replace(book_links.PLACEHOLDER, "")
    assert not re.findall(r"https?://github\.com/\S*", text)


def _theme_options(url):
    """html_theme_options as Jupyter Book makes them from _config.yml with `url` as the setting,
    after tools/book_links.py has applied it."""
    from jupyter_book.config import yaml_to_sphinx

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = url
    options = yaml_to_sphinx(config)[0]["html_theme_options"]
    return book_links.apply(options), options


def test_repository_setting_is_the_placeholder_or_a_github_repository():
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert url == book_links.PLACEHOLDER or book_links.owner_and_name(url)


def test_unset_repository_switches_its_buttons_off():
    applied, options = _theme_options(book_links.PLACEHOLDER)
    assert applied is None and options["repository_url"] == ""
    assert not any(options[b] for b in book_links.BUTTONS)
    assert not any(options["launch_buttons"].get(k) for k in book_links.LAUNCHERS)


def test_set_repository_drives_every_link_that_needs_it():
    """When the setting names a repository, the buttons are on and the links the crawl of
    tests/test_browser.py accepts are built from it (owner, name, branch); a URL that is
    not a GitHub repository fails the build."""
    url = "https://github.com/some-school/rnn-book"
    applied, options = _theme_options(url)
    assert applied == url and options["repository_url"] == url
    assert options["use_repository_button"] and options["use_issues_button"]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    links = book_links.expected_links(url, config["repository"]["branch"], options["launch_buttons"])
    assert links["github.com"] == [url]
    binder = config["launch_buttons"].get("binderhub_url")
    if binder:
        assert links["mybinder.org"] == [f"{binder}/v2/gh/some-school/rnn-book/main?urlpath="]
    assert book_links.built_from(f"{url}/issues/new?title=x", links["github.com"])
    assert not book_links.built_from(f"{url}2", links["github.com"])
    for bad in ("https://gitlab.com/a/b", "https://github.com/only-owner", "github.com/a/b"):
        with pytest.raises(ValueError):
            _theme_options(bad)


def test_pages_workflow_reads_the_setting():
    workflow = (ROOT / ".github/workflows/pages.yml").read_text()
    assert "tools/book_links.py --expect" in workflow


def test_no_notebook_files_in_book():
    assert not list((ROOT / "book").glob("*.ipynb"))


def test_config_executes_with_cache_and_has_bibliography():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    keys = set(re.findall(r"@\w+\{(\w+),", (ROOT / "book/references.bib").read_text()))
    cited = set()
    for chapter in CHAPTERS:
        cited |= set(re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", (ROOT / f"{chapter}.md").read_text()))
    cited = {k.strip() for group in cited for k in group.split(",")}
    assert cited <= keys, f"cited but not in references.bib: {cited - keys}"
    needed = {"elman1990", "werbos1990", "bengio1994", "hochreiter1997", "gers2000", "jaeger2001",
              "cho2014", "pascanu2013", "williams1990"}
    assert needed <= cited, f"never cited: {needed - cited}"


def test_book_builds_without_warnings_or_cell_errors(built_book):
    html, proc = built_book
    log = proc.stdout + proc.stderr
    # Sphinx's own warnings and errors (-W turns them into a failing exit code too); the
    # kernels' "[IPKernelApp] WARNING | ... TCP" start-up notice is not one of them
    warnings = [line for line in log.splitlines()
                if ("WARNING" in line or "ERROR" in line) and not line.startswith("[IPKernelApp]")]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    for chapter in CHAPTERS:
        page = html / f"{chapter}.html"
        assert page.is_file(), page
        # the build's claims raise (RNNLIB_BOOK_BUILD=1); a note in a page is a claim that
        # went unchecked because the build ran without it
        assert "the text describes the chapter" not in page.read_text(), page


def test_built_pages_have_figures_with_alt_text(built_book):
    html, proc = built_book
    if proc.returncode != 0:
        pytest.skip("the build failed; see test_book_builds_without_warnings_or_cell_errors")
    for chapter in CHAPTERS[1:]:
        page = (html / f"{chapter}.html").read_text()
        images = re.findall(r"<img [^>]*>", page)
        assert images, f"{chapter}: no figure"
        for img in images:
            if "logo" in img:
                continue
            assert re.search(r'alt="[^"]{10,}"', img), f"{chapter}: {img[:200]}"
