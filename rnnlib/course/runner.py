"""The out-of-process runner: the student's code runs here, and only arrays come back.

This file runs inside the sandbox, as an unprivileged user, with NumPy but without
rnnlib (so a graded function cannot call the reference). It imports nothing from
rnnlib on purpose; the grader imports its codec (:func:`encode`, :func:`decode`).

    python runner.py NOTEBOOK JOB_DIR

1. Executes every code cell of NOTEBOOK in one namespace, each in its own
   try/except, with prints and warnings discarded (they cost nothing).
2. For each ``JOB_DIR/cases/<function>.npz`` (+ ``.json``), forks a child that calls
   the function on every case, under a CPU-time limit, and writes what it returned to
   ``JOB_DIR/results/<function>.npz`` (+ ``.json``): plain arrays and a JSON
   description of the structure (tuples, lists, dicts, numbers). Nothing is pickled.
"""

from __future__ import annotations

import collections
import io
import json
import os
import sys
import warnings

import numpy as np

MAX_ITEMS = 10_000  # items in one returned structure
MAX_DEPTH = 8


class Opaque:
    """A value the runner could not send back (an object of some other type)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


# ---------------------------------------------------------------- codec -----------

def encode(value):
    """``(arrays, tree)``: a dict of plain arrays and a JSON-able description."""
    arrays = {}
    count = [0]

    def walk(v, depth):
        count[0] += 1
        if count[0] > MAX_ITEMS or depth > MAX_DEPTH:
            return {"t": "other", "type": "too large"}
        if isinstance(v, np.ndarray) or (hasattr(v, "__array_namespace__") and hasattr(v, "shape")):
            try:
                a = np.asarray(v)
                if a.dtype == object:
                    a = a.astype(np.float64)
            except Exception:
                return {"t": "other", "type": type(v).__name__}
            key = f"a{len(arrays)}"
            arrays[key] = a
            return {"t": "array", "k": key}
        if isinstance(v, (bool, np.bool_)):
            return {"t": "bool", "v": bool(v)}
        if isinstance(v, (int, np.integer)):
            return {"t": "int", "v": int(v)}
        if isinstance(v, (float, np.floating)):
            return {"t": "float", "v": repr(float(v))}
        if isinstance(v, str):
            return {"t": "str", "v": v[:1000]}
        if v is None:
            return {"t": "none"}
        if isinstance(v, tuple) and hasattr(v, "_fields"):
            return {"t": "namedtuple", "name": type(v).__name__, "fields": list(v._fields),
                    "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, (tuple, list)):
            return {"t": type(v).__name__, "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"t": "dict", "items": [[str(k), walk(x, depth + 1)] for k, x in v.items()]}
        return {"t": "other", "type": type(v).__name__[:100]}

    return arrays, walk(value, 0)


def decode(arrays, tree, namedtuples=None):
    """Rebuild a value from :func:`encode`'s output (arrays from ``np.load(..., allow_pickle=False)``)."""
    namedtuples = namedtuples if namedtuples is not None else {}

    def walk(node):
        t = node.get("t")
        if t == "array":
            return np.array(arrays[node["k"]])
        if t in ("bool", "int", "str"):
            return node["v"]
        if t == "float":
            return float(node["v"])
        if t == "none":
            return None
        if t == "tuple":
            return tuple(walk(x) for x in node["items"])
        if t == "list":
            return [walk(x) for x in node["items"]]
        if t == "dict":
            return {k: walk(x) for k, x in node["items"]}
        if t == "namedtuple":
            key = (node["name"], tuple(node["fields"]))
            if key not in namedtuples:
                namedtuples[key] = collections.namedtuple(node["name"], node["fields"])
            return namedtuples[key](*[walk(x) for x in node["items"]])
        return Opaque(str(node.get("type", "unknown")))

    return walk(tree)


def save(path_stem, value):
    arrays, tree = encode(value)
    np.savez(path_stem + ".npz", **arrays)
    with open(path_stem + ".json", "w") as f:
        json.dump(tree, f)


def load(path_stem, namedtuples=None):
    with open(path_stem + ".json") as f:
        tree = json.load(f)
    with np.load(path_stem + ".npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return decode(arrays, tree, namedtuples)


# ---------------------------------------------------------------- running ---------

def _code_cells(notebook_path):
    with open(notebook_path) as f:
        nb = json.load(f)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        # IPython-only lines (magics, shell escapes) are not Python: skip them
        yield "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))


def _progress(job_dir, text):
    """Record what is about to run, so the grader can skip it if the process dies."""
    with open(os.path.join(job_dir, "progress"), "a") as f:
        f.write(text + "\n")


def execute_notebook(notebook_path, job_dir, skip=(), cell_seconds=10):
    """Run the notebook's code cells in one namespace; errors in a cell are skipped.

    Cells listed in ``skip`` (indices) are not run: an earlier attempt died in them.
    """
    import signal

    def stop(signum, frame):
        raise TimeoutError("cell took too long")

    signal.signal(signal.SIGALRM, stop)
    namespace = {"__name__": "__student__"}
    sink = io.StringIO()
    for index, source in enumerate(_code_cells(notebook_path)):
        if index in skip:
            continue
        _progress(job_dir, f"cell {index}")
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = sink
        try:
            signal.alarm(cell_seconds)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(source, f"<cell {index}>", "exec"), namespace)
        except BaseException:  # noqa: BLE001 - a student's cell may raise anything, SystemExit too
            pass
        finally:
            signal.alarm(0)
            sys.stdout, sys.stderr = old
            sink.seek(0)
            sink.truncate()
    return namespace


def _run_cases(fn, cases):
    """Call fn on each case; each result is the return value or an error record."""
    results = []
    sink = io.StringIO()
    for args in cases:
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = sink
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append({"ok": True, "value": fn(*args)})
        except BaseException as exc:  # noqa: BLE001
            results.append({"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        finally:
            sys.stdout, sys.stderr = old
            sink.seek(0)
            sink.truncate()
    return results


def _stop_strays():
    """End every other process the student's cells started (a fork bomb leaves many)."""
    import signal
    import time

    try:
        os.kill(-1, signal.SIGKILL)  # all we may signal, but neither us nor the jail's init
    except OSError:
        pass
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.01)
        except ChildProcessError:
            break


def _fork(retries=200):
    """fork, waiting a little while the process limit is still full."""
    import time

    for _ in range(retries):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.02)
    return os.fork()


def main(notebook_path, job_dir, skip_cells=(), skip_functions=(), cpu_seconds=10, jailed=False):
    import resource
    import signal

    sys.modules["rnnlib"] = None  # graded code must not reach the reference (import fails)
    namespace = execute_notebook(notebook_path, job_dir, set(skip_cells))
    if jailed:  # only inside the jail: outside it, kill(-1) would reach the whole machine
        _stop_strays()
    cases_dir = os.path.join(job_dir, "cases")
    results_dir = os.path.join(job_dir, "results")
    os.makedirs(results_dir, exist_ok=True)
    for entry in sorted(os.listdir(cases_dir)):
        if not entry.endswith(".json"):
            continue
        name = entry[:-5]
        stem = os.path.join(results_dir, name)
        if name in skip_functions:
            continue
        fn = namespace.get(name)
        if not callable(fn):
            save(stem, {"missing": True})
            continue
        cases = load(os.path.join(cases_dir, name))
        _progress(job_dir, f"function {name}")
        pid = _fork()
        if pid == 0:  # the child: one function, its own CPU budget
            try:
                soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
                limit = int(sum(os.times()[:2])) + cpu_seconds
                resource.setrlimit(resource.RLIMIT_CPU, (limit if hard < 0 else min(limit, hard), hard))
                signal.alarm(cpu_seconds * 3)  # wall-clock stop for sleeps and waits
                results = _run_cases(fn, cases)
                tmp = stem + ".part"
                save(tmp, {"missing": False, "results": results})
                os.replace(tmp + ".npz", stem + ".npz")
                os.replace(tmp + ".json", stem + ".json")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    with open(os.path.join(job_dir, "done"), "w") as f:
        f.write("ok")


if __name__ == "__main__":
    with open(sys.argv[2] + "/plan.json") as f:
        plan = json.load(f)
    main(sys.argv[1], sys.argv[2], plan.get("skip_cells", []), plan.get("skip_functions", []),
         plan.get("cpu_seconds", 10), plan.get("jailed", False) and os.getuid() != 0)
