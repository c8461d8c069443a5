"""Sphinx extension: serve MathJax and the widget renderer from the site when present.

`tools/vendor_js.sh` (run by `make book`) installs both from the npm registry into
`_static/vendor/`. If they are there, every page loads them from the site itself, so
the book works without internet; if not, the defaults (a CDN) stay and the build log
says so.
"""

import pathlib

from sphinx.util import logging

logger = logging.getLogger(__name__)
MATHJAX = "vendor/mathjax/tex-mml-chtml.js"
WIDGETS = "vendor/html-manager/embed.js"


def _config_inited(app, config):
    static = pathlib.Path(app.confdir) / "_static"
    if (static / MATHJAX).is_file() and (static / WIDGETS).is_file():
        config.mathjax_path = MATHJAX
        config.nb_ipywidgets_js = {WIDGETS: {"data-jupyter-widgets-cdn-only": "false"}}
        logger.info("book_vendor: MathJax and widgets served from _static/vendor/")
    else:
        logger.info("book_vendor: _static/vendor/ is missing (no npm?): MathJax and widgets "
                    "load from a CDN, so the book needs internet to typeset math and show widgets")


def setup(app):
    app.connect("config-inited", _config_inited, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
