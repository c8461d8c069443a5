"""The one run of a notebook (``rnnlib.course.outside.run`` with ``outputs=True``).

One execution gives both the score and what each cell showed, which nbgrader's
feedback and formgrader display. Here the run is unsandboxed (the sandbox itself is
the corpus's business, ``test_grading_corpus.py``): what each kind of output becomes,
how a test cell's check is judged by the grader and written where the call stood,
and what a cell that was skipped, stopped or never reached shows.
"""

import nbformat
import pytest

from rnnlib.course import outside

STEP = ("import numpy as np\n\ndef rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
        "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n    return h, (x, h_prev, Wx, Wh, h)\n")
NO_BIAS = STEP.replace(" + b)", ")")
TEST = ("from rnnlib.checks import check_rnn_step_forward\nprint('checking')\n"
        "check_rnn_step_forward(rnn_step_forward)\nprint('after the check')\n")


def _run(tmp_path, sources, functions=("rnn_step_forward",), **kwargs):
    cells = [nbformat.v4.new_code_cell(s) if not s.startswith("#md ") else nbformat.v4.new_markdown_cell(s[4:])
             for s in sources]
    return outside.run("a", cells, list(functions), "secret", "student", tmp_path / "job", outputs=True,
                       **kwargs)


def _kinds(outputs):
    return [o["output_type"] for o in outputs]


def test_each_cell_shows_what_jupyter_would_show(tmp_path):
    done = _run(tmp_path, [STEP, "#md some text",
                           "print('hello')\n1 + 1",
                           "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))\nx = 3;",
                           "raise ValueError('a mistake of my own')",
                           "np.tanh?\n%timeit -n1 -r1 np.zeros(3)\nfiles = !echo hi\nlen(files)"])
    assert done.status == "graded" and done.verdicts["rnn_step_forward"].passed
    assert set(done.outputs) == {0, 2, 3, 4, 5}, "every code cell, no markdown cell"
    count, shown = done.outputs[2]
    assert _kinds(shown) == ["stream", "execute_result"]
    assert shown[0]["text"] == "hello\n" and shown[1]["data"]["text/plain"] == "2"
    assert shown[1]["execution_count"] == count
    assert _kinds(done.outputs[3][1]) == ["display_data"], "a trailing ; shows nothing"
    assert done.outputs[3][1][0]["data"]["text/html"] == "<b>bold</b>"
    error = done.outputs[4][1][0]
    assert (error["output_type"], error["ename"], error["evalue"]) == ("error", "ValueError", "a mistake of my own")
    magic = done.outputs[5][1]
    assert "per loop" in magic[0]["text"] and magic[-1]["data"]["text/plain"] == "1"
    assert "Docstring" not in str(magic), "help from ? goes to a pager, not into the cell"
    counts = [done.outputs[i][0] for i in (0, 2, 3, 4, 5)]
    assert counts == sorted(counts) and len(set(counts)) == 5
    for _, outputs in done.outputs.values():
        for output in outputs:
            nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])]))


def test_a_test_cell_shows_the_graders_judgement_where_the_check_stood(tmp_path):
    passing = _run(tmp_path / "a", [STEP, TEST]).outputs[1][1]
    assert _kinds(passing) == ["stream"], "printed text joins into one stream, as in Jupyter"
    assert passing[0]["text"].startswith("checking\n\u2714 rnn_step_forward passes")
    assert passing[0]["text"].endswith("after the check\n")
    failing = _run(tmp_path / "b", [NO_BIAS, TEST]).outputs[1][1]
    assert _kinds(failing) == ["stream", "error"], "a CheckFailure ends the cell, as raising does"
    assert failing[0]["text"] == "checking\n"
    assert failing[1]["ename"] == "CheckFailure" and "leaves out the bias b" in failing[1]["evalue"]


def test_a_hidden_check_in_a_test_cell_and_an_unprepared_seed(tmp_path):
    test = ("from rnnlib.checks import check_rnn_step_forward\n"
            "check_rnn_step_forward(rnn_step_forward, seed=2024, hidden=True)\n"
            "s = 5\ncheck_rnn_step_forward(rnn_step_forward, seed=s)\n")
    shown = _run(tmp_path, [STEP, test]).outputs[1][1]
    assert "on 3 hidden case(s)" in shown[0]["text"]
    assert "not run while grading" in shown[-1]["text"] and shown[-1]["name"] == "stderr"


def test_check_calls_are_read_from_the_code():
    calls = outside.check_calls(["check_rnn_forward(f)\ncheck_rnn_forward(f, 7, True)\n",
                                 "import rnnlib.checks as c\nc.check_gru_step_forward(g, seed=3)\n",
                                 "check_rnn_forward(f, seed=n)\ncheck_unknown(f)\nnot python("])
    assert calls == [("gru_step_forward", 3, False), ("rnn_forward", 0, False), ("rnn_forward", 7, True)]


def test_a_check_of_a_function_that_never_returns_costs_that_cell_only(tmp_path):
    loop = "import numpy as np\n\ndef rnn_step_forward(x, h_prev, Wx, Wh, b):\n    while True:\n        pass\n"
    done = _run(tmp_path, [loop, TEST, "print('still running')"], cell_seconds=60)
    failure = done.outputs[1][1][-1]
    assert failure["ename"] == "CheckFailure" and "TimeoutError" in failure["evalue"]
    assert done.outputs[2][1][0]["text"] == "still running\n"
    assert not done.verdicts["rnn_step_forward"].passed


def test_cells_past_the_budget_and_a_cell_that_ends_python(tmp_path):
    done = _run(tmp_path / "a", [STEP, "import time\ntime.sleep(3)", "print('late')"], budget=2.5)
    assert done.verdicts["rnn_step_forward"].passed
    assert done.outputs[1][1][0]["ename"] == "TimeoutError", "the cell ran into the budget's end"
    assert "used up its time budget" in done.outputs[2][1][0]["evalue"]
    done = _run(tmp_path / "b", [STEP, "import os\nos._exit(0)", "print('after')"])
    assert done.status == "graded" and done.verdicts["rnn_step_forward"].passed
    assert done.outputs[1][1][0]["ename"] == "GraderStopped"
    assert done.outputs[2][1][0]["text"] == "after\n", "the notebook ran again without the cell"


@pytest.mark.parametrize("item", [
    {"output_type": "stream", "name": "stdin", "text": "x"},
    {"output_type": "display_data", "data": {"application/javascript": "alert(1)"}},
    {"output_type": "execute_result", "data": {"text/plain": 3}},
    {"output_type": "error", "ename": "E", "evalue": "v", "traceback": "not a list"},
    {"output_type": "unknown"},
    "not a dict",
])
def test_a_forged_output_is_dropped(item):
    assert outside._output(item) is None


def test_outputs_are_rebuilt_from_plain_values():
    made = outside._output({"output_type": "display_data", "extra": "field",
                            "data": {"text/html": "<i>x</i>", "application/javascript": "alert(1)"}})
    assert made == {"output_type": "display_data", "data": {"text/html": "<i>x</i>"}, "metadata": {}}
