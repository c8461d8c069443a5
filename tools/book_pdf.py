"""Sphinx extension: the printed book (`make pdf`, Sphinx's LaTeX builder) without widgets.

Built for the book, the explorers are static (:mod:`rnnlib.widgets.static`) and carry
their starting picture as ``image/png``, which the PDF prints. A live ipywidgets widget
shown by a chapter would be a widget view (a JSON reference to live state) plus a
text/plain repr such as ``VBox(children=(IntSlider(...), ...))``; the LaTeX builder
cannot show the first and would print the second, so in a LaTeX build this drops every
output that is a widget view.

Jupyter Book's LaTeX layout (sphinx-jupyterbook-latex) prints the root document, the
preface, as unnumbered front matter and spends its title on the PDF's title page; this
gives the preface back a heading of its own (in the table of contents and the page
headers), and drops its "References" heading, whose list moves to the end of the PDF
as the Bibliography. HTML builds are left alone.
"""

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.texescape import escape

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class DropWidgetOutputs(SphinxPostTransform):
    # before myst-nb's SelectMimeType (priority 4) picks the text/plain repr
    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs):
        def is_bundle(node):
            return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"

        for bundle in list(self.document.findall(is_bundle)):
            if any(child.get("mime_type") == WIDGET_VIEW for child in bundle.children):
                bundle.parent.remove(bundle)


class PrefaceHeading(SphinxPostTransform):
    # after sphinx-jupyterbook-latex flattens the root document (priority 700)
    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs):
        root = self.config.root_doc
        if self.app.project.path2doc(self.document.get("source", "")) != root:
            return
        top = next((s for s in self.document.findall(nodes.section) if s.get("docname") == root),
                   None)
        if top is None or not isinstance(top.children[0], nodes.title):
            return
        title = escape(top.children[0].astext())
        top.insert(1, nodes.raw("", rf"\chapter*{{{title}}}\addcontentsline{{toc}}{{chapter}}{{{title}}}"
                                    rf"\markboth{{{title}}}{{{title}}}", format="latex"))
        # a sub-heading of the preface with nothing printable after it (its bibliography
        # has moved to the end of the document)
        headers = [c for c in top.children if type(c).__name__ == "RootHeader"]
        for header in headers:
            following = top.children[top.index(header) + 1:]
            rest = []
            for node in following:
                if type(node).__name__ == "RootHeader":
                    break
                rest.append(node)
            if not any(type(n).__name__ not in ("HiddenCellNode", "target") and n.astext().strip()
                       for n in rest):
                header.parent.remove(header)


def setup(app):
    app.add_post_transform(DropWidgetOutputs)
    app.add_post_transform(PrefaceHeading)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
