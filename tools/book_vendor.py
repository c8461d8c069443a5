"""Sphinx extension: a book that works offline, with a clean browser console.

`tools/vendor_js.sh` (run by `make book`) installs MathJax 3 and the widget renderer
(@jupyter-widgets/html-manager) from the npm registry into `_vendor/vendor/`, which
Sphinx copies to the site's `_static/vendor/` (not the book's own `_static/`, whose
every .js file Jupyter Book would add to each page). If they are there, every page
loads them from the site itself; if not, the defaults (a CDN) stay and the build log
says so.

Two repairs for the browser console:
- the widget renderer types labels with the MathJax 2 API (``MathJax.Hub.Queue``);
  a small deferred shim maps it onto MathJax 3's ``typesetPromise``;
- sphinx-thebe registers its inline configuration script twice in a Jupyter Book
  build, which declares a ``const`` twice; each page keeps one copy of every script.
"""

import pathlib

from sphinx.util import logging

logger = logging.getLogger(__name__)
MATHJAX = "vendor/mathjax/tex-mml-chtml.js"
WIDGETS = "vendor/html-manager/embed.js"
HUB_SHIM = """
(function () {
  var mj = window.MathJax = window.MathJax || {};
  if (!mj.Hub) {
    mj.Hub = {Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && window.MathJax.typesetPromise) {
          window.MathJax.typesetPromise([job[2]]).catch(function () {});
        }
      }
    }};
  }
})();
"""


def _config_inited(app, config):
    vendor = pathlib.Path(app.confdir) / "_vendor"
    if (vendor / MATHJAX).is_file() and (vendor / WIDGETS).is_file():
        config.mathjax_path = MATHJAX
        config.nb_ipywidgets_js = {WIDGETS: {"data-jupyter-widgets-cdn-only": "false"}}
        logger.info("book_vendor: MathJax and widgets served from _static/vendor/")
    else:
        logger.info("book_vendor: _vendor/vendor/ is missing (no npm?): MathJax and widgets "
                    "load from a CDN, so the book needs internet to typeset math and show widgets")


def _builder_inited(app):
    shim = pathlib.Path(app.outdir) / "_static" / "mathjax-hub-shim.js"
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(HUB_SHIM)
    # deferred, after MathJax (defer keeps order): MathJax 3 replaces window.MathJax
    app.add_js_file("mathjax-hub-shim.js", priority=900, loading_method="defer")


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
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _one_of_each, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
