"""nbgrader's execution step, replaced by the one run of the submission.

nbgrader's autograde first restores the notebook's read-only and test cells from the
gradebook (its sanitising step), then runs its ``Execute`` preprocessor and reads the
outputs. Here that step is :class:`SingleRun`, set in
``Autograde.autograde_preprocessors`` in place of ``Execute``: it hands the sanitised
notebook to :func:`rnnlib.course.outside.run`, which runs it once in a jail, scores the
graded functions out of process and returns what every cell showed. The outputs go
into the notebook, so nbgrader's own ``SaveAutoGrades``, feedback and formgrader read
them as they would read ``Execute``'s; the run's verdicts wait in :data:`RUNS` for the
grader, in the same process. No kernel is started, and the notebook runs once.
"""

from __future__ import annotations

from dataclasses import dataclass

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from . import outside


@dataclass
class Request:
    """One student's run: what :func:`outside.run` needs, and (after it) its result."""

    assignment: str
    functions: list
    secret: str
    student: str
    jail: object  # a sandbox.Jail, or None without the sandbox
    deadline: float  # time.monotonic()
    max_bytes: int
    budget: float  # seconds for all cells together
    cell_seconds: int
    matplotlib_cache: str | None = None
    result: outside.Run | None = None


RUNS = {}  # job folder -> Request, while nbgrader's autograde runs


class SingleRun(Preprocessor):
    """Run the notebook once, in a jail; fill in every code cell's outputs.

    Configured per student with ``job``, a private empty folder of the grader's, under
    which the :class:`Request` is registered in :data:`RUNS`."""

    job = Unicode("").tag(config=True)
    enabled = Bool(True)  # nbconvert runs a preprocessor only when it is enabled

    def preprocess(self, nb, resources):
        request = RUNS[self.job]
        request.result = outside.run(
            request.assignment, nb.cells, request.functions, request.secret, request.student, self.job,
            request.jail, deadline=request.deadline, max_bytes=request.max_bytes, outputs=True,
            budget=request.budget, cell_seconds=request.cell_seconds, matplotlib_cache=request.matplotlib_cache)
        for index, (count, outputs) in request.result.outputs.items():
            nb.cells[index].outputs = outputs
            nb.cells[index].execution_count = count
        return nb, resources
