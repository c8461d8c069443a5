"""Sphinx extension: a book that works offline, with a clean browser console.

`tools/vendor_js.sh` (run by `make book`) installs MathJax 3 from the npm registry into
`_vendor/vendor/`, which Sphinx copies to the site's `_static/vendor/` (not the book's
own `_static/`, whose every .js file Jupyter Book would add to each page). If it is
there, every page loads it from the site itself; if not, the default (a CDN) stays and
the build log says so.

One repair for the browser console: sphinx-thebe registers its inline configuration
script twice in a Jupyter Book build, which declares a ``const`` twice; each page keeps
one copy of every script.
"""

import pathlib

from sphinx.util import logging

logger = logging.getLogger(__name__)
MATHJAX = "vendor/mathjax/tex-mml-chtml.js"


def _config_inited(app, config):
    vendor = pathlib.Path(app.confdir) / "_vendor"
    if (vendor / MATHJAX).is_file():
        config.mathjax_path = MATHJAX
        logger.info("book_vendor: MathJax served from _static/vendor/")
    else:
        logger.info("book_vendor: _vendor/vendor/ is missing (no npm?): MathJax loads from a "
                    "CDN, so the book needs internet to typeset math")


def _one_of_each(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for js in scripts:
            key = (getattr(js, "filename", js) or "", getattr(js, "attributes", {}).get("body"))
            if key not in seen:
                seen.add(key)
                unique.append(js)
        scripts[:] = unique


def setup(app):
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("html-page-context", _one_of_each, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
