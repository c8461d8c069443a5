"""The authoritative score: the student's functions run in a jail, the grader compares.

For each graded function the grader makes the check's inputs (the public case and
hidden cases with a seed the student cannot know), the runner (in a jail, without
rnnlib) calls the student's function and returns plain arrays, and the grader replays
them through the same :func:`rnnlib.checks.run_check` that students see in their
notebooks, in its own process, which no student code has touched.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

from ..checks import run_check
from ..checks.specs import SPECS, case_args
from . import runner, sandbox

WALL_SECONDS = 90  # one attempt of the runner, all functions together
ATTEMPTS = 4  # restarts after a student's code killed the runner


@dataclass
class Verdict:
    name: str
    passed: bool
    message: str
    mistake: str | None = None


def hidden_seed(secret, assignment, student, name):
    """A seed for the hidden cases: fixed for a student, unknowable without the secret."""
    digest = hashlib.sha256(f"{secret}:{assignment}:{student}:{name}".encode()).hexdigest()
    return 1000 + int(digest[:8], 16) % 1_000_000


class _Replay:
    """Stands in for the student's function: returns what the runner recorded, in order."""

    def __init__(self, records):
        self.records = iter(records)

    def __call__(self, *args):
        record = next(self.records)
        if not record["ok"]:
            kind, _, text = record["error"].partition(": ")
            raise type(kind if kind.isidentifier() else "Error", (Exception,), {})(text)
        return _unopaque(record["value"])


def _unopaque(value):
    """Turn values the runner could not send into objects named after their type."""
    if isinstance(value, runner.Opaque):
        name = value.type_name if value.type_name.isidentifier() else "object"
        return type(name, (), {})()
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_unopaque(v) for v in value)
    if isinstance(value, list):
        return [_unopaque(v) for v in value]
    if isinstance(value, dict):
        return {k: _unopaque(v) for k, v in value.items()}
    return value


def _trees(cells):
    """The parsed code cells (cells that are not valid Python are skipped)."""
    for source in cells:
        try:
            yield ast.parse(source)
        except SyntaxError:
            continue


def _rnnlib_names(cells):
    """Names that code cells bind from rnnlib (``import rnnlib``, ``from rnnlib ... import x``)."""
    names = set()
    for tree in _trees(cells):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("rnnlib")}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnnlib"):
                names |= {a.asname or a.name for a in node.names}
    return names


def _uses_rnnlib(cells, name):
    """Whether the definition of ``name`` refers to anything bound from rnnlib."""
    bound = _rnnlib_names(cells) | {"rnnlib", "__import__", "importlib"}
    for tree in _trees(cells):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                used |= {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
                if used & bound or any("rnnlib" in str(u) for u in used):
                    return True
    return False


def _cells(notebook):
    try:
        nb = json.loads(pathlib.Path(notebook).read_text())
        return ["".join(c["source"]) if isinstance(c["source"], list) else str(c["source"])
                for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def _run_jailed(job, notebook, jail):
    """Run the runner, restarting past cells or functions that killed it; return status."""
    plan = {"skip_cells": [], "skip_functions": [], "cpu_seconds": 10, "jailed": jail is not None}
    status = "graded"
    for attempt in range(ATTEMPTS):
        (job / "plan.json").write_text(json.dumps(plan))
        (job / "progress").write_text("")
        argv = [sys.executable, str(job / "runner.py"), str(job / notebook.name), str(job)]
        cmd = sandbox.command(jail, argv) if jail is not None else argv
        if jail is not None:
            sandbox.hand_over(job, jail.uid)
        env = None if jail is not None else {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.Popen(cmd, cwd=job, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=env)
        try:
            proc.wait(timeout=WALL_SECONDS)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            timed_out = True
        if (job / "done").exists():
            return status
        last = (job / "progress").read_text().split("\n")
        last = [line for line in last if line]
        if not last:
            return "timeout" if timed_out else "crashed"
        kind, _, what = last[-1].partition(" ")
        if kind == "cell":
            plan["skip_cells"].append(int(what))
        else:
            plan["skip_functions"].append(what)
        status = "timeout" if timed_out else status
    return "timeout" if timed_out else "crashed"


def _verdict(name, job, plan, status, cells):
    """Replay the recorded results of one function through the checks."""
    seed, n_public = plan
    stem = job / "results" / name
    if not stem.with_suffix(".json").exists():
        why = "took too long" if status == "timeout" else "stopped the grader's process"
        return Verdict(name, False, f"{name} could not be graded: running it {why}.")
    record = runner.load(str(stem))
    if not isinstance(record, dict):
        raise TypeError("not a record")
    if record.get("missing"):
        return Verdict(name, False, f"{name} is not defined in the notebook (or its cell fails).")
    results = record["results"]
    if not isinstance(results, list) or not all(isinstance(r, dict) and "ok" in r for r in results):
        raise TypeError("not a list of results")
    checks = (run_check(name, _Replay(results[:n_public]), seed=0),
              run_check(name, _Replay(results[n_public:]), seed=seed, hidden=True))
    failed = next((c for c in checks if not c.passed), None)
    if failed is None:
        return Verdict(name, True, checks[1].message)
    if "Error" in failed.message and _uses_rnnlib(cells, name):
        return Verdict(name, False, f"{name} calls rnnlib: graded functions run without it, and a "
                                    f"function that hands the work to rnnlib's own {name} earns "
                                    f"nothing. Write it with NumPy.", "delegation")
    return Verdict(name, False, failed.message, failed.mistake)


def score(assignment, notebook, functions, secret, student, workdir, jail=None):
    """Run the student's ``functions`` out of process; return (status, {name: Verdict}).

    ``notebook`` is the student's notebook (copied, never changed); ``workdir`` a
    private empty folder; ``jail`` a :class:`sandbox.Jail` or None (no sandbox).
    """
    job = pathlib.Path(workdir)
    (job / "cases").mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, job / notebook.name)
    shutil.copy(runner.__file__, job / "runner.py")
    plans = {}
    for name in functions:
        spec = SPECS[name]
        seed = hidden_seed(secret, assignment, student, name)
        public = [case_args(spec, k, sizes) for k, sizes in enumerate(spec.public)]
        hidden = [case_args(spec, seed + k, sizes) for k, sizes in enumerate(spec.hidden)]
        runner.save(str(job / "cases" / name), public + hidden)
        plans[name] = (seed, len(public))
    status = _run_jailed(job, pathlib.Path(notebook), jail)
    cells = _cells(notebook)
    verdicts = {}
    for name in functions:
        try:
            verdicts[name] = _verdict(name, job, plans[name], status, cells)
        except Exception as exc:  # a malformed record: the student's code wrote it
            verdicts[name] = Verdict(name, False, f"{name} returned something the grader could "
                                                  f"not read ({type(exc).__name__}).")
    return status, verdicts
