"""A rehearsal that warms a grading server before it forks one process per student.

Each student is graded in a fresh process forked from a server (multiprocessing's
forkserver), so what a process does only the first time (compiling regular
expressions and CSS selectors, configuring the gradebook's SQLAlchemy mappers and
reading its tables, loading nbconvert's templates) would be paid again for every
student: about 0.3 s of CPU each. Named in the server's preload list, this module
grades one made-up student of a made-up one-function assignment when it is imported,
so that all of it is done once, in the server, and every process forked from it starts
warm. The notebook is this module's own and runs without the sandbox: no student code
is involved. A rehearsal that fails changes nothing but the speed.
"""

from __future__ import annotations

import gc
import json
import pathlib
import tempfile
import warnings

NAME = "warm-up"

_SOLUTION = '''import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    ### BEGIN SOLUTION
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)
    ### END SOLUTION
'''
_TEST = '''from rnnlib.checks import check_rnn_step_forward
check_rnn_step_forward(rnn_step_forward)
'''


def _cell(kind, source, grade_id=None, **flags):
    cell = {"cell_type": kind, "id": grade_id or "intro", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if grade_id:
        cell["metadata"]["nbgrader"] = {"grade_id": grade_id, "locked": False, "schema_version": 3,
                                        "solution": False, "grade": False, "task": False, **flags}
    return cell


def _notebook():
    cells = [_cell("markdown", "A warm-up."),
             _cell("code", _SOLUTION, "rnn_step_forward", solution=True),
             _cell("code", _TEST, "test_rnn_step_forward", grade=True, points=1, locked=True)]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def rehearse():
    """Grade one made-up student end to end (no sandbox); return its row, or None."""
    from .config import SOURCE
    from .grading import Assignment, Context, GradingLimits, _template, grade_one

    try:
        with tempfile.TemporaryDirectory(prefix="rnncourse-warm-") as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = pathlib.Path(tmp) / "course"
            (root / SOURCE / NAME).mkdir(parents=True)
            text = json.dumps(_notebook())
            (root / SOURCE / NAME / f"{NAME}.ipynb").write_text(text)
            (pathlib.Path(tmp) / "submitted" / "student" / NAME).mkdir(parents=True)
            (pathlib.Path(tmp) / "submitted" / "student" / NAME / f"{NAME}.ipynb").write_text(text)
            assignment = Assignment.read(root, NAME)
            template = _template(root, assignment, tmp, fonts=False)
            ctx = Context(str(root), str(template), assignment, str(pathlib.Path(tmp) / "submitted"),
                          str(pathlib.Path(tmp) / "out"), "warm-up", GradingLimits(), False, tmp)
            return grade_one(ctx, "student", 0)
    except Exception:  # noqa: BLE001 - only the speed depends on it
        return None


ROW = rehearse()
# Everything the server holds now stays put in the processes forked from it: the garbage
# collector of each student's process then leaves those objects alone, instead of walking
# them (and so copying the pages they lie on) at its first full collection.
gc.freeze()
