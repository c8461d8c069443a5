"""The one run of a submission: the student's notebook and functions run in a jail, the
grader compares.

For each graded function the grader makes the check's inputs (the public case and
hidden cases with a seed the student cannot know), the runner (in a jail, where no
rnnlib function works while graded code runs) calls the student's function and
returns plain arrays, and the grader replays
them through the same :func:`rnnlib.checks.run_check` that students see in their
notebooks, in its own process, which no student code has touched. That is the score.

The same run keeps what each cell showed (:func:`run` with ``outputs=True``), which is
what nbgrader's feedback and the formgrader show. A test cell's ``check_<name>(fn)``
runs in the jail as a stand-in that calls ``fn`` on cases the grader prepared; the
grader judges the results with the real check and writes its pass line, or its
``CheckFailure``, where the call stood in the cell's outputs.
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
from .lane import Lane

ATTEMPTS = 4  # restarts after a student's code killed the runner
MAX_CHECK_CASES = 32  # distinct (check, seed) calls in a notebook that the grader prepares
NOT_RUN = ("This cell was not run: the notebook used up its time budget for grading "
           "({:g} s in all) before reaching it.")
STOPPED = ("This cell stopped the grader's process (it ended Python, or ran out of time or "
           "memory), so it was skipped and the notebook was run again without it.")
UNREACHED = "This cell was not run: the run of the notebook ended before it."


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
    outputs: dict = dataclasses.field(default_factory=dict)  # cell index -> (count, [output dicts])
    checks: dict = dataclasses.field(default_factory=dict)  # call number -> record of a test cell's check
    jail_cpu: float = 0.0  # the jail's own CPU for this run (its start, the cleanup after it)


def _attempt(job, plan, lane, timeout, max_bytes):
    """One run of the runner: forked in the ``lane``'s jail, or (unsafe, no lane) as a
    plain child process."""
    if lane is not None:
        outcome = lane.run(dict(plan, job=lane.inside(job), jailed=True, matplotlib_cache=None), timeout, max_bytes)
    else:
        argv = [sys.executable, runner.__file__, json.dumps(dict(plan, job=str(job), jailed=False))]
        outcome = sandbox.run(argv, timeout, max_bytes, env=sandbox.unjailed_env())
    frames, _ = runner.read_frames(outcome.output)
    run = Attempt({}, [], False, outcome.timed_out, jail_cpu=outcome.jail_cpu)
    for kind, payload in frames:
        if kind == "progress":
            run.progress.append(payload.decode("utf-8", "replace")[:200])
        elif kind == "done":
            run.done = True
        elif kind == "result":
            try:
                record = runner.unpack(payload)
            except runner.Malformed:
                continue
            if isinstance(record, dict) and record.get("name") in plan["functions"]:
                run.results[record["name"]] = record
        elif kind == "output":
            _take_output(run.outputs, payload)
        elif kind == "check":
            try:
                record = runner.unpack(payload)
            except runner.Malformed:
                continue
            if isinstance(record, dict) and type(record.get("call")) is int:
                run.checks.setdefault(record["call"], record)
    run.done = run.done and not outcome.overflow
    return run


def _take_output(outputs, payload):
    """Read one cell's ``output`` frame as data: ``{"cell": i, "count": n, "outputs": [...]}``."""
    try:
        frame = json.loads(payload.decode("utf-8", "replace"))
        cell, count, items = frame["cell"], frame["count"], frame["outputs"]
    except (ValueError, TypeError, KeyError, RecursionError):
        return
    if type(cell) is int and type(count) is int and isinstance(items, list) and cell not in outputs:
        outputs[cell] = (count, items[:10_000])


def _run_jailed(job, functions, answers, lane, deadline, max_bytes, extra=None):
    """Run the runner, restarting past cells or functions that killed it.

    Returns ``(status, {function: record}, attempts)``."""
    plan = {"functions": list(functions), "answers": answers, "skip_cells": [],
            "skip_functions": [], "cpu_seconds": 10, **(extra or {})}
    wall = plan.get("budget", 60) + 60
    status, results, attempts = "graded", {}, []
    for attempt in range(ATTEMPTS):
        left = deadline - time.monotonic()
        if left <= 1:
            return "timeout", results, attempts
        run = _attempt(job, plan, lane, min(wall, left), max_bytes)
        attempts.append((list(plan["skip_cells"]), run))
        results.update(run.results)
        if run.done:
            return status, results, attempts
        if run.timed_out:
            status = "timeout"
        last = [line for line in run.progress if line.startswith(("cell ", "function "))]
        if not last:
            return ("timeout" if run.timed_out else "crashed"), results, attempts
        kind, _, what = last[-1].partition(" ")
        if kind == "cell" and what.isdigit():
            plan["skip_cells"].append(int(what))
        elif kind == "function" and what in functions:
            plan["skip_functions"].append(what)
            results.pop(what, None)
        else:
            return "crashed", results, attempts
    return ("timeout" if status == "timeout" else "crashed"), results, attempts


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


def check_calls(cells):
    """``[(name, seed, hidden), ...]``: the calls ``check_<name>(fn, seed, hidden)`` in the
    code ``cells`` (sources) with a constant seed, the cases the grader prepares for them."""
    found = set()
    for tree in _trees(cells):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if not (called.startswith("check_") and called[6:] in SPECS):
                continue
            given = dict(zip(("fn", "seed", "hidden"), node.args))
            given.update({k.arg: k.value for k in node.keywords if k.arg in ("seed", "hidden")})
            seed, hidden = given.get("seed"), given.get("hidden")
            seed = 0 if seed is None else seed.value if isinstance(seed, ast.Constant) else None
            hidden = False if hidden is None else hidden.value if isinstance(hidden, ast.Constant) else None
            if type(seed) is int and 0 <= seed < 2**31 and isinstance(hidden, (bool, int)):
                found.add((called[6:], seed, bool(hidden)))
    return sorted(found)[:MAX_CHECK_CASES]


def _check_file(name, seed, hidden):
    return f"check-{name}-{seed}-{'h' if hidden else 'p'}.bin"


def _output(item):
    """One output the runner reported, rebuilt from plain values (None if it is not one)."""
    import nbformat

    if not isinstance(item, dict):
        return None
    kind = item.get("output_type")
    try:
        if kind == "stream" and item.get("name") in ("stdout", "stderr") and isinstance(item.get("text"), str):
            return nbformat.v4.new_output("stream", name=item["name"], text=item["text"])
        if kind in ("display_data", "execute_result") and isinstance(item.get("data"), dict):
            data = {m: v for m, v in item["data"].items() if m in runner.MIMES and isinstance(v, str)}
            if not data:
                return None
            if kind == "execute_result":
                count = item.get("execution_count")
                return nbformat.v4.new_output(kind, data=data, execution_count=count if type(count) is int else None)
            return nbformat.v4.new_output(kind, data=data)
        if kind == "error" and isinstance(item.get("traceback"), list):
            return nbformat.v4.new_output("error", ename=str(item.get("ename", "Error"))[:200],
                                          evalue=str(item.get("evalue", ""))[:5000],
                                          traceback=[str(t)[:20000] for t in item["traceback"][:200]])
    except (TypeError, ValueError):
        return None
    return None


def _check_output(record, prepared, sources):
    """``(output, stops)``: what a test cell's check call shows, judged by the real check:
    its pass line, or its CheckFailure (which stops the cell, as raising does)."""
    import nbformat

    def note(text):
        return nbformat.v4.new_output("stream", name="stderr", text=text + "\n"), False

    if not isinstance(record, dict):
        return note("A check ran here, but its result did not reach the grader.")
    name, seed, hidden = record.get("name"), record.get("seed"), record.get("hidden")
    key = (name, seed, hidden)
    if record.get("missing") or key not in prepared:
        return note(f"check_{name}: not run while grading (the grader prepares the checks of this "
                    f"notebook that are called with a constant seed).")
    try:
        results = record["results"]
        if not isinstance(results, list) or not all(isinstance(r, dict) and "ok" in r for r in results):
            raise TypeError("not a list of results")
        for r in results:
            if r["ok"]:
                _changed_pairs(r.get("changed", []), prepared[key])
        result = run_check(name, _Replay(results), seed=seed, hidden=hidden)
    except Exception as exc:  # a malformed record: the student's code wrote it
        return note(f"check_{name}: the grader could not read what the function returned ({type(exc).__name__}).")
    if result.passed:
        return nbformat.v4.new_output("stream", name="stdout", text="\u2714 " + result.message + "\n"), False
    message = result.message
    if "Error" in message and _uses_rnnlib(sources, name):
        message += (" (While grading, rnnlib is not there: a function that calls rnnlib's own "
                    f"{name} cannot run.)")
    return nbformat.v4.new_output("error", ename="CheckFailure", evalue=message,
                                  traceback=[f"CheckFailure: {message}"]), True


def _append(outputs, output):
    """Add an output, joining text to the stream just before it, as Jupyter shows them."""
    last = outputs[-1] if outputs else None
    if last is not None and output.output_type == last.output_type == "stream" and output.name == last.name:
        last.text += output.text
    else:
        outputs.append(output)


def _cell_outputs(cells, attempts, prepared, budget):
    """``{cell index: (execution count, [outputs])}`` for every code cell: what it showed
    in the last attempt that ran it, or why it was not run."""
    import nbformat

    shown = {}
    for _, run in attempts:
        for index, (count, items) in run.outputs.items():
            if not (0 <= index < len(cells)):
                continue
            sources = [str(c.get("source", "")) for c in cells[:index + 1] if c.get("cell_type") == "code"]
            made = []
            for item in items:
                if isinstance(item, dict) and item.get("output_type") == "check":
                    output, stops = _check_output(run.checks.get(item.get("call")), prepared, sources)
                    _append(made, output)
                    if stops:
                        break
                elif (output := _output(item)) is not None:
                    _append(made, output)
            shown[index] = (count, made)
    skipped = set(attempts[-1][0]) if attempts else set()
    over_budget = bool(attempts) and "budget" in attempts[-1][1].progress
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and index not in shown:
            if index in skipped:
                ename, text = "GraderStopped", STOPPED
            elif over_budget:
                ename, text = "GradingTimeBudget", NOT_RUN.format(budget)
            else:
                ename, text = "NotRun", UNREACHED
            shown[index] = (None, [nbformat.v4.new_output("error", ename=ename, evalue=text, traceback=[text])])
    return shown


@dataclass
class Run:
    status: str  # graded, timeout or crashed
    verdicts: dict  # function -> Verdict
    outputs: dict  # cell index -> (execution count, [outputs]); empty unless asked for
    seconds: dict = dataclasses.field(default_factory=dict)  # CPU: jail, execution, scoring


def run(assignment, cells, functions, secret, student, job, jail=None, deadline=None,
        max_bytes=64 * 1024**2, outputs=False, budget=60.0, cell_seconds=10, matplotlib_cache=None):
    """The one run of a notebook: its ``functions`` scored out of process and, with
    ``outputs``, what every code cell showed. Returns a :class:`Run`.

    ``cells`` are the notebook's cells (nbformat 4); ``job`` a private empty folder of
    the grader's, which the jail sees read-only; ``jail`` a :class:`sandbox.Jail` (a
    jail of this run's own), a :class:`~rnnlib.course.lane.Lane` whose job folder holds
    ``job`` (a jail kept up for runs one after another), or None (no sandbox); ``deadline`` a ``time.monotonic()`` value for all attempts together;
    ``budget`` the seconds all cells together may take, ``cell_seconds`` one cell's;
    ``matplotlib_cache`` a folder with a prebuilt font list for the jail.
    """
    import nbformat

    started = time.process_time()  # the grader's own work: the cases, reading the frames, the replay
    job = pathlib.Path(job)
    (job / "cases").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=cells)
    (job / "notebook.ipynb").write_text(nbformat.writes(nb))
    own = None
    if isinstance(jail, sandbox.Jail):  # a jail for this run alone: a lane used once
        jail = own = Lane(jail, job, matplotlib_cache, warm=False)
    plans = {}
    for name in functions:
        spec = SPECS[name]
        seed = hidden_seed(secret, assignment, student, name)
        public = [case_args(spec, k, sizes) for k, sizes in enumerate(spec.public)]
        hidden = [case_args(spec, seed + k, sizes, hidden=True) for k, sizes in enumerate(spec.hidden)]
        (job / "cases" / f"{name}.bin").write_bytes(runner.pack(public + hidden))
        plans[name] = (seed, len(public), len(public[0]))
    sources = [str(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    prepared = {}
    for name, seed, hidden in check_calls(sources) if outputs else []:
        spec = SPECS[name]
        cases = [case_args(spec, seed + k, sizes, hidden=hidden)
                 for k, sizes in enumerate(spec.hidden if hidden else spec.public)]
        (job / "cases" / _check_file(name, seed, hidden)).write_bytes(runner.pack(cases))
        prepared[(name, seed, hidden)] = len(cases[0])
    for path in [job, job / "cases", *(job / "cases").iterdir(), job / "notebook.ipynb"]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    deadline = deadline if deadline is not None else time.monotonic() + ATTEMPTS * (budget + 60)
    answers = answer_cells(cells, functions)
    extra = {"outputs": outputs, "budget": budget, "cell_seconds": int(cell_seconds),
             "checks": sorted({n for n, _, _ in prepared} | set(functions)),
             "matplotlib_cache": str(matplotlib_cache) if matplotlib_cache else None}
    try:
        status, records, attempts = _run_jailed(job, functions, answers, jail, deadline, max_bytes, extra)
    finally:
        if own is not None:
            own.stop()
    verdicts = {}
    for name in functions:
        upto = len(cells) if answers[name] is None else answers[name] + 1  # what the graded one saw
        sources = [str(c.get("source", "")) for c in cells[:upto] if c.get("cell_type") == "code"]
        try:
            verdicts[name] = _verdict(name, records.get(name), plans[name], status, sources)
        except Exception as exc:  # a malformed record: the student's code wrote it
            verdicts[name] = Verdict(name, False, f"{name} returned something the grader could "
                                                  f"not read ({type(exc).__name__}).")
    shown = _cell_outputs(cells, attempts, prepared, budget) if outputs else {}
    start = sum(_reported_cpu(run, "started") for _, run in attempts)
    jail = start + sum(run.jail_cpu for _, run in attempts)  # a lane's start is on its first student's row
    seconds = {"jail": jail, "execution": sum(_reported_cpu(run, "cpu") for _, run in attempts) - start,
               "scoring": time.process_time() - started}
    return Run(status, verdicts, shown, seconds)


def _reported_cpu(run, word):
    """CPU seconds the runner reported (``started``: its Python's start and imports;
    ``cpu``: everything, its forks included). Student code could forge them: they are
    only figures for the benchmark, never a grade."""
    for line in run.progress:
        if line.startswith(word + " "):
            try:
                return min(max(float(line.partition(" ")[2]), 0.0), 1e6)
            except ValueError:
                return 0.0
    return 0.0


def score(assignment, cells, functions, secret, student, job, jail=None, deadline=None,
          max_bytes=64 * 1024**2, **kwargs):
    """Run the student's ``functions`` out of process; return (status, {name: Verdict}).
    (:func:`run` without the cells' outputs.)"""
    done = run(assignment, cells, functions, secret, student, job, jail, deadline, max_bytes, **kwargs)
    return done.status, done.verdicts
