"""Text from a submission, neutralised where it lands.

A submission's text reaches three places outside the jail: the feedback page and the
formgrader (HTML), ``grades.csv`` (opened in spreadsheets), and the instructor's
terminal. Each gets its own treatment here; none of them changes what is stored in the
journal, which keeps every name exactly (``surrogateescape``).
"""

from __future__ import annotations

import functools
import html

import bleach
from nbgrader.preprocessors import NbGraderPreprocessor

_TAGS = sorted(set(bleach.sanitizer.ALLOWED_TAGS) | {
    "p", "div", "span", "pre", "code", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img", "sub", "sup", "del", "ins"})
_ATTRIBUTES = {**bleach.sanitizer.ALLOWED_ATTRIBUTES, "img": ["src", "alt", "width", "height"],
               "span": ["class"], "div": ["class"], "code": ["class"], "td": ["align"], "th": ["align"]}
_ACTIVE = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json")


def clean_html(text):
    """HTML a student wrote, with scripts, handlers and unknown tags made inert."""
    return bleach.clean(str(text), tags=_TAGS, attributes=_ATTRIBUTES,
                        protocols=["http", "https", "data", "mailto"], strip=False)


class SanitizeHTML(NbGraderPreprocessor):  # nbgrader's base: enabled by default
    """Clean markdown cells and rich outputs before a page is made from the notebook.

    Runs in nbgrader's autograde after the notebook was executed, so the autograded
    notebook that the feedback page and the formgrader render has no active content:
    markdown keeps its text and harmless tags, HTML outputs are cleaned, script and
    widget outputs are dropped (a PNG or plain text of them stays).
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = clean_html(cell.source)
            cell.pop("attachments", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            for mime in list(data):
                if mime in _ACTIVE or mime.endswith("+javascript"):
                    del data[mime]
                elif mime in ("text/html", "image/svg+xml", "text/markdown"):
                    data[mime] = clean_html(data[mime])
            if not data:
                data["text/plain"] = "(an interactive output, not shown in feedback)"
        return cell, resources


def csv_cell(text):
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (or tab, CR) is quoted."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def shown(name):
    """A name as it can safely be printed or put in HTML (undecodable bytes as \\xNN)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def escaped(text):
    """Plain text for an HTML page."""
    return html.escape(shown(str(text)))


def comment_text(text):
    """A grader's sentence for a gradebook comment: nbgrader renders comments as Markdown
    on the feedback page, and the formgrader shows them raw; so markup is made inert
    (``<``, ``>``, ``&``) and nothing else is touched, which keeps the formgrader readable."""
    return html.escape(shown(str(text)), quote=False)


@functools.cache
def _feedback_exporter(folder):
    """nbconvert's ``HTMLExporter`` for nbgrader's feedback pages, whose compiled
    templates are kept in Jinja's bytecode cache in ``folder``, a 0700 folder of the
    grading run's own (never a shared path such as ``/tmp``, where another local user
    could plant one): compiling the feedback template took about 0.16 s of CPU for every
    student, since each student is graded in a fresh process."""
    from jinja2 import FileSystemBytecodeCache
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FeedbackExporter(HTMLExporter):
        def _create_environment(self):
            environment = super()._create_environment()
            environment.bytecode_cache = FileSystemBytecodeCache(folder)
            return environment

        def from_notebook_node(self, nb, resources=None, **kw):
            """``HTMLExporter``'s, less its second pass over the page it rendered where that
            pass has nothing to change. The pass (BeautifulSoup: about 0.1 s of CPU a page)
            gives a default alt text to images without one and makes the cells of
            JupyterLab's template focusable; nbgrader's feedback template is the classic
            one, without such cells, so a page without images is left as rendered."""
            if _may_show_images(nb):
                return super().from_notebook_node(nb, resources, **kw)
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return FeedbackExporter


def _may_show_images(nb):
    """Whether a page made from ``nb`` may hold an ``<img>``: an image output, or "img"
    anywhere in a markdown or raw cell or a rich output (a markdown image, an HTML tag)."""
    for cell in nb.cells:
        if cell.cell_type != "code" and ("img" in cell.source.lower() or "![" in cell.source):
            return True
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("image/") or (mime != "text/plain" and "img" in str(value).lower()):
                    return True
    return False
