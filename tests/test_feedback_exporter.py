"""The feedback pages' exporter (``rnnlib.course.clean._feedback_exporter``).

It is nbconvert's ``HTMLExporter`` with the feedback template's compiled form cached,
and without the exporter's second pass over its own page (BeautifulSoup) where that
pass would change nothing: on a page that cannot hold an image. These tests render
nbgrader's feedback template both ways and compare.
"""

import base64

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from rnnlib.course import clean

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def _notebook(*outputs, markdown="Some **text**, $x_t$ and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |"):
    code = nbformat.v4.new_code_cell("import numpy as np\nprint(np.arange(3))", execution_count=1,
                                     outputs=list(outputs) or [nbformat.v4.new_output("stream", text="[0 1 2]\n")])
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), code],
                                    metadata={"language_info": {"name": "python"}})


def _config():
    config = Config()
    config.HTMLExporter.template_name = "classic"
    return config


@pytest.fixture
def exporter(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    return clean._feedback_exporter(str(cache))(config=_config())


def test_a_page_without_images_is_the_page_nbconvert_makes(exporter):
    nb = _notebook()
    assert not clean._may_show_images(nb)
    fast, _ = exporter.from_notebook_node(nb)
    full, _ = HTMLExporter(config=_config()).from_notebook_node(nb)
    assert str(BeautifulSoup(fast, features="html.parser")) == full, "only the serialisation differs"
    assert "[0 1 2]" in fast and "<table" in fast


@pytest.mark.parametrize("nb", [
    _notebook(nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})),
    _notebook(nbformat.v4.new_output("display_data", data={"text/html": '<IMG src="data:,">'})),
    _notebook(markdown="![](data:,)"),
    _notebook(markdown='<img src="data:,">'),
], ids=["png output", "html output", "markdown image", "markdown tag"])
def test_a_page_that_may_hold_an_image_gets_nbconverts_alt_text(exporter, nb):
    assert clean._may_show_images(nb)
    page, _ = exporter.from_notebook_node(nb)
    images = BeautifulSoup(page, features="html.parser").find_all("img")
    assert images and all(img.has_attr("alt") for img in images)
