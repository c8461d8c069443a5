"""The authoritative score: the student's functions run in a jail, the grader compares.

For each graded function the grader makes the check's inputs (the public case and
hidden cases with a seed the student cannot know), the runner (in a jail, without
rnnlib) calls the student's function and returns plain arrays, and the grader replays
them through the same :func:`rnnlib.checks.run_check` that students see in their
notebooks, in its own process, which no student code has touched.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import sys
import time
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
    public_passed: bool = False  # the public case alone, as the notebook's test cell runs it


def hidden_seed(secret, assignment, student, name):
    """A seed for the hidden cases: fixed for a student, unknowable without the secret."""
    text = f"{secret}:{assignment}:{student}:{name}".encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(text).hexdigest()
    return 1000 + int(digest[:8], 16) % 1_000_000


class _Replay:
    """Stands in for the student's function: returns what the runner recorded, in order,
    and says which inputs the runner saw the call change in place (``inputs_changed``)."""

    def __init__(self, records):
        self.records = iter(records)
        self.changed = []

    def __call__(self, *args):
        record = next(self.records)
        if not record["ok"]:
            kind, _, text = record["error"].partition(": ")
            raise type(kind if kind.isidentifier() else "Error", (Exception,), {})(text)
        self.changed = _changed_pairs(record.get("changed", []), len(args))
        return _unopaque(record["value"])

    def inputs_changed(self):
        return self.changed


def _changed_pairs(pairs, count):
    """The runner's ``[[index, path], ...]`` of inputs changed in place, read strictly: a
    list of at most ``count`` pairs of a distinct argument index and a path of the form
    :data:`runner.CHANGED_PATH`, in order; anything else is malformed (TypeError)."""
    if not isinstance(pairs, list) or len(pairs) > count:
        raise TypeError("bad list of changed inputs")
    seen = []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int
                and 0 <= pair[0] < count and (not seen or pair[0] > seen[-1][0])
                and isinstance(pair[1], str) and re.fullmatch(runner.CHANGED_PATH, pair[1])):
            raise TypeError("bad changed input")
        seen.append((pair[0], pair[1]))
    return seen


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
    """Whether the definition of ``name`` refers to anything bound from rnnlib.

    Names, imports inside the function and strings handed to a call count; a docstring
    or comment that merely mentions rnnlib does not."""
    bound = _rnnlib_names(cells) | {"rnnlib", "__import__", "importlib"}
    for tree in _trees(cells):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                inner = list(ast.walk(node))
                used = {n.id for n in inner if isinstance(n, ast.Name)}
                used |= {a.name for n in inner if isinstance(n, ast.Import) for a in n.names}
                used |= {n.module or "" for n in inner if isinstance(n, ast.ImportFrom)}
                used |= {a.value for n in inner if isinstance(n, ast.Call) for a in n.args
                         if isinstance(a, ast.Constant) and isinstance(a.value, str)}
                if used & bound or any("rnnlib" in str(u) for u in used):
                    return True
    return False


def answer_cells(cells, functions):
    """``{function: index of its answer cell}``: the cell whose nbgrader grade_id is the
    function's name, else the last code cell that defines it at top level (None if none)."""
    found = {}
    for name in functions:
        tagged = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                  and (c.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id") == name]
        if tagged:
            found[name] = tagged[0]
            continue
        defining = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                    and any(isinstance(n, ast.FunctionDef) and n.name == name
                            for tree in _trees([str(c.get("source", ""))]) for n in tree.body)]
        found[name] = defining[-1] if defining else None
    return found


@dataclass
class Attempt:
    results: dict  # function -> record
    progress: list  # "cell 3", "function rnn_forward", ...
    done: bool
    timed_out: bool


def _attempt(job, plan, jail, scratch, timeout, max_bytes):
    """One run of the runner: in the jail, or (unsafe) as a plain child process."""
    argv_plan = dict(plan, job="/job" if jail is not None else str(job), jailed=jail is not None)
    if jail is not None:
        argv = [sandbox.PYTHON, "/grader/runner.py", json.dumps(argv_plan)]
        scratch.mkdir(mode=0o700)
        try:
            cmd = sandbox.command(jail, argv, scratch)
            outcome = sandbox.run(cmd, timeout, max_bytes)
        finally:
            scratch.rmdir()  # an empty mount point: the tmpfs went with the jail
    else:
        argv = [sys.executable, runner.__file__, json.dumps(argv_plan)]
        outcome = sandbox.run(argv, timeout, max_bytes, env=sandbox.unjailed_env())
    frames, _ = runner.read_frames(outcome.output)
    results, progress, done = {}, [], False
    for kind, payload in frames:
        if kind == "progress":
            progress.append(payload.decode("utf-8", "replace")[:200])
        elif kind == "done":
            done = True
        elif kind == "result":
            try:
                record = runner.unpack(payload)
            except runner.Malformed:
                continue
            if isinstance(record, dict) and record.get("name") in plan["functions"]:
                results[record["name"]] = record
    return Attempt(results, progress, done and not outcome.overflow, outcome.timed_out)


def _run_jailed(job, functions, answers, jail, deadline, max_bytes):
    """Run the runner, restarting past cells or functions that killed it.

    Returns ``(status, {function: record})``."""
    plan = {"functions": list(functions), "answers": answers, "skip_cells": [],
            "skip_functions": [], "cpu_seconds": 10}
    status, results = "graded", {}
    for attempt in range(ATTEMPTS):
        left = deadline - time.monotonic()
        if left <= 1:
            return "timeout", results
        run = _attempt(job, plan, jail, job.parent / f"scratch-{attempt}", min(WALL_SECONDS, left), max_bytes)
        results.update(run.results)
        if run.done:
            return status, results
        if run.timed_out:
            status = "timeout"
        last = [line for line in run.progress if line.startswith(("cell ", "function "))]
        if not last:
            return ("timeout" if run.timed_out else "crashed"), results
        kind, _, what = last[-1].partition(" ")
        if kind == "cell" and what.isdigit():
            plan["skip_cells"].append(int(what))
        elif kind == "function" and what in functions:
            plan["skip_functions"].append(what)
            results.pop(what, None)
        else:
            return "crashed", results
    return ("timeout" if status == "timeout" else "crashed"), results


def _verdict(name, record, plan, status, cells):
    """Replay the recorded results of one function through the checks."""
    seed, n_public, arity = plan
    if record is None:
        why = "took too long" if status == "timeout" else "stopped the grader's process"
        return Verdict(name, False, f"{name} could not be graded: running it {why}.")
    if record.get("missing"):
        return Verdict(name, False, f"{name} is not defined in the notebook (or its cell fails).")
    results = record.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) and "ok" in r for r in results):
        raise TypeError("not a list of results")
    for r in results:  # read before the replay, so a malformed one is never taken for the student's error
        if r["ok"]:
            _changed_pairs(r.get("changed", []), arity)
    checks = (run_check(name, _Replay(results[:n_public]), seed=0),
              run_check(name, _Replay(results[n_public:]), seed=seed, hidden=True))
    failed = next((c for c in checks if not c.passed), None)
    if failed is None:
        return Verdict(name, True, checks[1].message, public_passed=True)
    if "Error" in failed.message and _uses_rnnlib(cells, name):
        return Verdict(name, False, f"{name} calls rnnlib: graded functions run without it, and a "
                                    f"function that hands the work to rnnlib's own {name} earns "
                                    f"nothing. Write it with NumPy.", "delegation", checks[0].passed)
    return Verdict(name, False, failed.message, failed.mistake, checks[0].passed)


def score(assignment, cells, functions, secret, student, job, jail=None, deadline=None,
          max_bytes=64 * 1024**2):
    """Run the student's ``functions`` out of process; return (status, {name: Verdict}).

    ``cells`` are the notebook's cells (nbformat 4); ``job`` a private empty folder of
    the grader's, which the jail sees read-only; ``jail`` a :class:`sandbox.Jail` or None
    (no sandbox); ``deadline`` a ``time.monotonic()`` value for all attempts together.
    """
    import nbformat

    job = pathlib.Path(job)
    (job / "cases").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=cells)
    (job / "notebook.ipynb").write_text(nbformat.writes(nb))
    if jail is not None:
        jail = dataclasses.replace(jail, readonly={**jail.readonly, str(job): "/job",
                                                   runner.__file__: "/grader/runner.py"})
    plans = {}
    for name in functions:
        spec = SPECS[name]
        seed = hidden_seed(secret, assignment, student, name)
        public = [case_args(spec, k, sizes) for k, sizes in enumerate(spec.public)]
        hidden = [case_args(spec, seed + k, sizes, hidden=True) for k, sizes in enumerate(spec.hidden)]
        (job / "cases" / f"{name}.bin").write_bytes(runner.pack(public + hidden))
        plans[name] = (seed, len(public), len(public[0]))
    for path in [job, job / "cases", *(job / "cases").iterdir(), job / "notebook.ipynb"]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    deadline = deadline if deadline is not None else time.monotonic() + ATTEMPTS * WALL_SECONDS
    answers = answer_cells(cells, functions)
    status, records = _run_jailed(job, functions, answers, jail, deadline, max_bytes)
    verdicts = {}
    for name in functions:
        upto = len(cells) if answers[name] is None else answers[name] + 1  # what the graded one saw
        sources = [str(c.get("source", "")) for c in cells[:upto] if c.get("cell_type") == "code"]
        try:
            verdicts[name] = _verdict(name, records.get(name), plans[name], status, sources)
        except Exception as exc:  # a malformed record: the student's code wrote it
            verdicts[name] = Verdict(name, False, f"{name} returned something the grader could "
                                                  f"not read ({type(exc).__name__}).")
    return status, verdicts
