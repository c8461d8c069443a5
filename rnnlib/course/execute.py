"""The notebook run for feedback: nbgrader's own executor, moved inside the jail.

nbgrader's autograde runs its ``Execute`` preprocessor on the sanitised notebook (test
cells restored from the gradebook) and reads the outputs. Here that step is
:class:`JailedExecute`, set in ``Autograde.autograde_preprocessors`` in place of
``Execute``: it hands the notebook to a jail, where this module's :func:`main` runs
nbgrader's ``Execute`` (the same kernel, timeouts and error handling) under a total time
budget, and reads the executed notebook back from the jail's standard output. No kernel
and no file of the grader's is ever inside the jail, and nothing the jail writes lands
on the host: the executed notebook is parsed and validated as data, at most
``max_bytes`` of it.

    python -m rnnlib.course.execute NOTEBOOK CELL_TIMEOUT BUDGET   (inside the jail)
"""

from __future__ import annotations

import ctypes
import os
import pathlib
import sys
import time

# jsonschema loads rfc3987_syntax when it is installed, which builds a grammar at import
# (0.9 s, every process); notebooks use no IRI formats, so it is left out.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402
from traitlets import Dict, Float, Integer, Unicode  # noqa: E402

from . import sandbox  # noqa: E402

NOT_RUN = ("This cell was not run: the notebook used up its time budget for grading "
           "({:g} s in all) before reaching it.")


class BudgetedExecute(Execute):
    """nbgrader's ``Execute`` with a total budget: cells past it are not run."""

    budget = Float(600.0, help="seconds for the whole notebook").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.budget
        self._cell_timeout = self.timeout
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        left = self._deadline - time.monotonic()
        if cell.cell_type == "code" and left < 1:
            cell.outputs = [nbformat.v4.new_output("error", ename="GradingTimeBudget",
                                                   evalue=NOT_RUN.format(self.budget),
                                                   traceback=[NOT_RUN.format(self.budget)])]
            return cell, resources
        self.timeout = int(max(1, min(self._cell_timeout, left)))
        return super().preprocess_cell(cell, resources, index)


def _not_dumpable():
    """Keep the kernel (same uid, same jail) out of this process's /proc entries."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def main(path, cell_timeout, budget):
    """Inside the jail: execute the notebook at ``path``, write it to standard output."""
    out = os.dup(1)
    os.set_inheritable(out, False)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # the kernel inherits /dev/null, not the channel to the grader
    os.close(null)
    _not_dumpable()
    nb = nbformat.read(path, as_version=4)
    executor = BudgetedExecute(timeout=int(cell_timeout), budget=float(budget))
    try:
        executor.preprocess(nb, {"metadata": {"path": os.getcwd()}})
    except Exception:  # noqa: BLE001 - the kernel died, say: what ran so far is still feedback
        pass
    data = memoryview(nbformat.writes(nb).encode())
    while data:
        data = data[os.write(out, data):]


class JailedExecute(Execute):
    """nbgrader's ``Execute``, run in a jail (see the module's docstring).

    Configured per student: ``jail`` (a :class:`sandbox.Jail` as a dict), ``job``
    (a private folder of the grader's), ``budget`` (seconds) and ``max_bytes``.
    """

    jail = Dict(allow_none=True, default_value=None).tag(config=True)
    job = Unicode("").tag(config=True)
    budget = Float(600.0).tag(config=True)
    max_bytes = Integer(32 * 1024**2).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        job = pathlib.Path(self.job)
        job.mkdir(mode=0o755, parents=True, exist_ok=True)
        (job / "in.ipynb").write_text(nbformat.writes(nb))
        os.chmod(job / "in.ipynb", 0o644)
        argv_tail = [str(self.timeout), str(self.budget)]
        if self.jail is not None:
            jail = sandbox.Jail(**{**self.jail, "limits": sandbox.Limits(**self.jail["limits"])})
            package = pathlib.Path(__file__).resolve().parents[1]
            jail.readonly = {**jail.readonly, str(job): "/job", str(package): str(package)}
            jail.env = {**jail.env, "NBGRADER_EXECUTION": "autograde"}
            scratch = job.parent / f"{job.name}-scratch"
            scratch.mkdir(mode=0o700)
            try:
                cmd = sandbox.command(jail, [sandbox.PYTHON, "-m", "rnnlib.course.execute", "/job/in.ipynb",
                                             *argv_tail], scratch)
                outcome = sandbox.run(cmd, self.budget + 30, self.max_bytes)
            finally:
                scratch.rmdir()
        else:
            env = sandbox.unjailed_env(NBGRADER_EXECUTION="autograde")
            cmd = [sys.executable, "-m", "rnnlib.course.execute", str(job / "in.ipynb"), *argv_tail]
            outcome = sandbox.run(cmd, self.budget + 30, self.max_bytes, env=env)
        if outcome.overflow:
            raise RuntimeError(f"the executed notebook is larger than {self.max_bytes} bytes")
        if outcome.timed_out:
            raise RuntimeError("the notebook did not finish within its time budget")
        try:
            executed = nbformat.reads(outcome.output.decode("utf-8"), as_version=4)
            nbformat.validate(executed)
        except Exception as exc:  # the jail's output is data; damaged data is a failure
            raise RuntimeError(f"the jail returned no readable notebook ({type(exc).__name__})") from None
        if [c.get("cell_type") for c in executed.cells] != [c.get("cell_type") for c in nb.cells]:
            raise RuntimeError("the jail returned a notebook with other cells")
        for mine, theirs in zip(nb.cells, executed.cells):  # only outputs come back
            if mine.cell_type == "code":
                mine.outputs = theirs.get("outputs", [])
                mine.execution_count = theirs.get("execution_count")
        return nb, resources


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python -m rnnlib.course.execute NOTEBOOK CELL_TIMEOUT BUDGET")
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
