"""The grader's hidden path tells a student what the notebook's check tells them.

The grader runs a submission's functions out of process (``rnnlib/course/runner.py``,
without rnnlib) and replays what they returned through the same checks, in its own
process (``rnnlib/course/outside.py``). Here the catalogue's implementations
(``tests/mistakes/`` and ``tests/mistakes/independent/``) go through that path, as
notebook cells, and must get the verdict and the very sentence that the public check
gives in process, on the public case and on the hidden cases of the grader's seed; and
an input changed in place is seen in the runner and reported as the notebook reports it.

The runner runs unsandboxed here (``jail=None``): the jail changes where the code runs,
not what comes back, and needs root (``tests/test_grading_corpus.py`` covers it).
"""

import collections
import pathlib

import nbformat
import pytest

from rnnlib.checks import run_check
from rnnlib.course import outside

HERE = pathlib.Path(__file__).parent
FILES = sorted((HERE / "mistakes").glob("*.py")) + sorted((HERE / "mistakes" / "independent").glob("*.py"))
SECRET, ASSIGNMENT, STUDENT = "catalogue-secret", "catalogue", "student"


def _function(path):
    for line in path.read_text().splitlines():
        if line.startswith("FUNCTION"):
            return line.split("=", 1)[1].split(",")[0].strip().strip("\"'")
    raise ValueError(f"{path} names no FUNCTION")


def _batches(paths):
    """Groups of files with at most one per function: one notebook (and runner) each."""
    batches = []
    for path in paths:
        name = _function(path)
        home = next((b for b in batches if name not in b), None)
        if home is None:
            home = {}
            batches.append(home)
        home[name] = path
    return batches


def _grade(sources, functions, tmp_path):
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    status, verdicts = outside.score(ASSIGNMENT, cells, functions, SECRET, STUDENT, tmp_path / "job")
    assert status == "graded", status
    return verdicts


def _in_process(path):
    namespace = {"__name__": f"catalogue_{path.stem}"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    name = namespace["FUNCTION"]
    fn = namespace[name]
    public = run_check(name, fn)
    hidden = run_check(name, fn, seed=outside.hidden_seed(SECRET, ASSIGNMENT, STUDENT, name), hidden=True)
    return public, hidden


@pytest.mark.parametrize("batch", range(len(_batches(FILES))))
def test_the_grader_says_what_the_notebook_says(batch, tmp_path):
    files = _batches(FILES)[batch]
    verdicts = _grade([p.read_text() for p in files.values()], list(files), tmp_path)
    for name, path in files.items():
        public, hidden = _in_process(path)
        shown = public if not public.passed else hidden
        got = verdicts[name]
        assert got.public_passed == public.passed, path.name
        assert got.passed == (public.passed and hidden.passed), path.name
        assert got.message == shown.message, (path.name, got.message, shown.message)
        assert got.mistake == shown.mistake, path.name


CORRECT_LSTM = (HERE / "mistakes" / "lstm_step_backward_correct_by_gate.py").read_text()


def _wrapped(change):
    return (CORRECT_LSTM + "\n_right = lstm_step_backward\n\n"
            "def lstm_step_backward(dh, dc, cache):\n"
            "    out = _right(dh, dc, cache)\n"
            f"    {change}\n"
            "    return out\n")


@pytest.mark.parametrize("change, expected", [
    ("cache[5][:] = 0", "changed its input cache[5] in place on the case N=3, D=4, H=5 (seed 0) "
                        "(your values are right; only the in-place update is wrong)"),
    ("dc += 1", "passes"),
])
def test_an_input_changed_in_place_is_seen_in_the_runner(change, expected, tmp_path):
    source = _wrapped(change)
    got = _grade([source], ["lstm_step_backward"], tmp_path)["lstm_step_backward"]
    assert expected in got.message, got.message
    namespace = {}
    exec(source, namespace)
    public = run_check("lstm_step_backward", namespace["lstm_step_backward"])
    if public.passed:
        seed = outside.hidden_seed(SECRET, ASSIGNMENT, STUDENT, "lstm_step_backward")
        public = run_check("lstm_step_backward", namespace["lstm_step_backward"], seed=seed, hidden=True)
    assert got.message == public.message


@pytest.mark.parametrize("pairs", [
    "dc", [["0", "dh"]], [[True, "dh"]], [[0, "dh"], [0, "dh"]], [[1, "dc"], [0, "dh"]],
    [[3, "cache"]], [[0, "dh; <script>"]], [[0, "dh\n"]], [[0, "a" * 200]], [[0]], [[0, "dh", 1]],
])
def test_a_malformed_report_of_changed_inputs_is_refused(pairs):
    with pytest.raises(TypeError):
        outside._changed_pairs(pairs, 3)
    record = {"name": "lstm_step_backward", "missing": False,
              "results": [{"ok": True, "value": None, "changed": pairs}]}
    with pytest.raises(TypeError):
        outside._verdict("lstm_step_backward", record, (1000, 1, 3), "graded", [])


def test_a_well_formed_report_is_read():
    assert outside._changed_pairs([[1, "dc"], [2, "cache[5]"], ], 3) == [(1, "dc"), (2, "cache[5]")]
    assert outside._changed_pairs([[0, "grads['Wx']"]], 2) == [(0, "grads['Wx']")]
    assert outside._changed_pairs([], 3) == []


if __name__ == "__main__":
    print(collections.Counter(_function(p) for p in FILES))
