"""The book's one publishing setting: `repository.url` in `_config.yml`.

Everything that points at the book's repository reads it: the repository and issues
buttons, the Binder and Colab launch buttons (built from its owner, name and
`repository.branch`), the `git clone` line of the preface, and the Pages workflow
(`.github/workflows/pages.yml` checks it against the repository it publishes from).

While it is the placeholder (PLACEHOLDER below), the book has no published repository
(an empty URL is refused by Jupyter Book itself while the buttons are asked for): those buttons are switched off rather than left pointing nowhere, and the
build log says so. Once it is set it must be a GitHub repository
(``https://github.com/OWNER/NAME``, what Binder's and Colab's links need), else the
build fails.

As a Sphinx extension (loaded from `_config.yml`'s `local_extensions`) it applies the
setting; as a script, ``python tools/book_links.py [--expect URL]`` prints it, or checks
it against the repository a workflow runs in.
"""

import pathlib
import re
import shutil
import sys

PLACEHOLDER = "https://github.com/OWNER/REPOSITORY"
GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$")
BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button", "use_source_button")
LAUNCHERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "jupyterlite_url", "thebe")


def is_set(url):
    """Whether `url` names a repository (not empty, not the placeholder)."""
    return bool(url) and url.strip().rstrip("/") != PLACEHOLDER


def owner_and_name(url):
    """(owner, name) of a set GitHub repository URL; ValueError for any other form."""
    m = GITHUB.match(url.strip().rstrip("/").removesuffix(".git"))
    if not m:
        raise ValueError(f"repository.url in _config.yml must be https://github.com/OWNER/NAME "
                         f"(the launch buttons need GitHub), or the placeholder {PLACEHOLDER}; got {url!r}")
    return m.group(1), m.group(2)


def expected_links(url, branch, launch_buttons):
    """The prefixes of the links the built site has, per host, when the setting is `url`."""
    owner, name = owner_and_name(url)
    repo = f"https://github.com/{owner}/{name}"
    links = {"github.com": [repo]}
    binder = (launch_buttons.get("binderhub_url") or "").rstrip("/")
    colab = (launch_buttons.get("colab_url") or "").rstrip("/")
    if binder:
        links.setdefault(_host(binder), []).append(f"{binder}/v2/gh/{owner}/{name}/{branch}?urlpath=")
    if colab:
        links.setdefault(_host(colab), []).append(f"{colab}/github/{owner}/{name}/blob/{branch}/")
    return links


def built_from(link, prefixes):
    """Whether `link` is one of the links `expected_links` allows (a prefix ending in '/' or
    '=' continues; any other is the whole URL or the start of a path)."""
    return any(link == p or link.startswith(p if p.endswith(("/", "=")) else p + "/") for p in prefixes)


def _host(url):
    return url.split("//", 1)[1].split("/", 1)[0]


def read_config(root):
    import yaml

    return yaml.safe_load((pathlib.Path(root) / "_config.yml").read_text())


def apply(theme_options):
    """Switch the repository's buttons off in Sphinx's `html_theme_options` when the
    setting is not set; check its form when it is. Returns the URL or None."""
    url = (theme_options.get("repository_url") or "").strip()
    if is_set(url):
        owner_and_name(url)
        return url.rstrip("/")
    theme_options["repository_url"] = ""
    for key in BUTTONS:
        theme_options[key] = False
    launch = dict(theme_options.get("launch_buttons") or {})
    for key in LAUNCHERS:
        launch.pop(key, None)
    theme_options["launch_buttons"] = launch
    return None


# ----------------------------------------------------------------- Sphinx ---

def _config_inited(app, config):
    from sphinx.errors import ConfigError
    from sphinx.util import logging

    try:
        url = apply(config.html_theme_options)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    app._book_repository = url  # read by _source_read
    # an 'env' value: changing the setting re-reads the sources (the preface's `git clone`)
    config.book_repository_url = url or ""
    if url is None:
        logging.getLogger(__name__).info(
            "book_links: repository.url in _config.yml is not set: no repository, issue or "
            "launch buttons (set it to publish them; see README.md, 'Publishing')")


def _source_read(app, docname, source):
    url = getattr(app, "_book_repository", None)
    if url and PLACEHOLDER in source[0]:
        _, name = owner_and_name(url)
        source[0] = source[0].replace(PLACEHOLDER, url).replace("\ncd REPOSITORY\n", f"\ncd {name}\n")


def _notebook_download(app, pagename, templatename, context, doctree):
    """With the launch buttons off the theme no longer offers a chapter as .ipynb; keep that."""
    if getattr(app, "_book_repository", None) or context.get("ipynb_source"):
        return
    if not context.get("sourcename", "").endswith((".md", ".md.txt")):
        return
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = pathlib.Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if executed.is_file():
        target = pathlib.Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, target)
        context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # after Jupyter Book has put _config.yml into html_theme_options, before the theme reads them
    app.add_config_value("book_repository_url", "", "env")
    app.connect("config-inited", _config_inited, priority=800)
    app.connect("source-read", _source_read)
    # before the theme's header buttons (priority 501) build the download menu
    app.connect("html-page-context", _notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ----------------------------------------------------------------- script ---

def main(argv):
    root = pathlib.Path(__file__).resolve().parents[1]
    config = read_config(root)
    repo = config.get("repository") or {}
    url = (repo.get("url") or "").strip()
    if not is_set(url):
        print(f"::warning::repository.url in _config.yml is not set ({url or 'empty'}): the book is "
              f"published without repository, issue and launch buttons")
        return 0
    try:
        owner, name = owner_and_name(url)
    except ValueError as exc:
        print(f"::error::{exc}")
        return 1
    print(f"repository.url: {url} (branch {repo.get('branch', 'main')})")
    if len(argv) >= 2 and argv[0] == "--expect":
        expected = argv[1].rstrip("/")
        if f"https://github.com/{owner}/{name}".lower() != expected.lower():
            print(f"::warning::repository.url in _config.yml is {url}, but this workflow publishes "
                  f"{expected}: the book's repository and launch buttons open {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
