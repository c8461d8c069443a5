"""The out-of-process runner: the student's notebook runs here, once, and only plain
values come back.

This file runs inside the sandbox, as an unprivileged user, with NumPy, IPython and
rnnlib (for the notebook's own cells, as in Jupyter), where ``rnnlib.checks`` is a
stand-in (:func:`_stub_checks`). It imports nothing from rnnlib itself; the grader
imports its codec (:func:`pack`, :func:`unpack`) and its framing (:func:`read_frames`).

    python runner.py PLAN_JSON

The plan names the job folder (read-only in the jail: ``notebook.ipynb`` and
``cases/<function>.bin``, ``cases/check-...bin``), the cells and functions to skip, each
graded function's answer cell, and the limits. The runner

1. reads the notebook (the grader has read it with nbformat, any version it accepts,
   and wrote it as nbformat 4) and runs its code cells in one IPython shell (magics,
   ``!`` and ``?`` work, ``display`` exists), sending back what each cell showed;
2. takes each graded function as it stands at the end of its answer cell (a scratch
   cell further down that redefines it changes nothing);
3. for each function, forks a child that calls it on every case under a CPU-time
   limit, with every rnnlib function made to raise (:func:`_without_rnnlib`), and
   sends what it returned back as a *frame* on a pipe.

Nothing is written to files the grader reads: the grader reads frames from the pipe,
bounded in size, and decodes them as plain values. Student code can write to that pipe
too; it gains nothing by it (a frame says only what a function could have returned).
"""

from __future__ import annotations

import collections
import io
import json
import os
import struct
import sys
import warnings

import numpy as np

MAX_ITEMS = 10_000  # items in one returned structure
MAX_DEPTH = 8
MAX_RESULT_BYTES = 16 * 1024**2  # one function's results, all cases together
MAGIC = b"RNCF"
_HEADER = struct.Struct("<4s8sQ")  # magic, kind, payload length
KINDS = (b"progress", b"result", b"done", b"output", b"check")
MAX_CELL_OUTPUT = 2 * 1024**2  # characters of one cell's outputs; more is cut with a note
MAX_OUTPUTS = 16 * 1024**2  # all cells' outputs together
# what a cell may show: nbformat's usual MIME types, nothing executable
MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
         "image/svg+xml", "application/json")
# plain numeric dtypes only: never object, structured or void
DTYPES = {np.dtype(t).str: np.dtype(t) for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}


class Opaque:
    """A value the runner could not send back (an object of some other type)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


class Malformed(ValueError):
    """Bytes that are not what :func:`pack` writes."""


# ---------------------------------------------------------------- codec -----------

def encode(value):
    """``(arrays, tree)``: a list of plain arrays and a JSON-able description."""
    arrays = []
    count = [0]

    def walk(v, depth):
        count[0] += 1
        if count[0] > MAX_ITEMS or depth > MAX_DEPTH:
            return {"t": "other", "type": "too large"}
        if isinstance(v, np.ndarray) or (hasattr(v, "__array_namespace__") and hasattr(v, "shape")):
            try:
                a = np.asarray(v)
                if a.dtype.str not in DTYPES:
                    a = a.astype(np.float64)
            except Exception:
                return {"t": "other", "type": type(v).__name__[:100]}
            arrays.append(np.ascontiguousarray(a))
            return {"t": "array", "k": len(arrays) - 1}
        if isinstance(v, (bool, np.bool_)):
            return {"t": "bool", "v": bool(v)}
        if isinstance(v, (int, np.integer)):
            return {"t": "int", "v": int(v)} if abs(int(v)) < 2**63 else {"t": "float", "v": repr(float(v))}
        if isinstance(v, (float, np.floating)):
            return {"t": "float", "v": repr(float(v))}
        if isinstance(v, str):
            return {"t": "str", "v": v[:1000]}
        if v is None:
            return {"t": "none"}
        if isinstance(v, tuple) and hasattr(v, "_fields"):
            return {"t": "namedtuple", "name": type(v).__name__[:100], "fields": [str(f)[:100] for f in v._fields],
                    "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, (tuple, list)):
            return {"t": type(v).__name__, "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"t": "dict", "items": [[str(k)[:100], walk(x, depth + 1)] for k, x in v.items()]}
        return {"t": "other", "type": type(v).__name__[:100]}

    return arrays, walk(value, 0)


def pack(value):
    """The bytes of ``value``: a JSON header (structure, dtypes, shapes), then raw arrays."""
    arrays, tree = encode(value)
    header = json.dumps({"tree": tree, "arrays": [[a.dtype.str, list(a.shape)] for a in arrays]}).encode()
    return b"".join([struct.pack("<Q", len(header)), header] + [a.tobytes() for a in arrays])


def unpack(data, namedtuples=None):
    """Rebuild a value from :func:`pack`'s bytes, trusting nothing in them.

    Only plain numeric arrays are made, each checked to lie inside ``data``; nothing
    is decompressed or unpickled, so the memory used is at most about ``len(data)``.
    """
    namedtuples = namedtuples if namedtuples is not None else {}
    view = memoryview(data)
    if len(view) < 8:
        raise Malformed("too short")
    (size,) = struct.unpack_from("<Q", view)
    if size > len(view) - 8 or size > 4 * 1024**2:
        raise Malformed("header larger than the data")
    try:
        header = json.loads(bytes(view[8:8 + size]))
        tree, metas = header["tree"], header["arrays"]
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise Malformed(f"unreadable header ({type(exc).__name__})") from None
    if not isinstance(metas, list) or len(metas) > MAX_ITEMS:
        raise Malformed("bad array list")
    arrays, offset = [], 8 + size
    for meta in metas:
        if not (isinstance(meta, list) and len(meta) == 2 and meta[0] in DTYPES and isinstance(meta[1], list)
                and len(meta[1]) <= 32 and all(type(n) is int and 0 <= n < 2**40 for n in meta[1])):
            raise Malformed("bad array description")
        dtype, shape = DTYPES[meta[0]], tuple(meta[1])
        count = 1
        for n in shape:
            count *= n
        nbytes = count * dtype.itemsize
        if nbytes > len(view) - offset:
            raise Malformed("array data missing")
        arrays.append(np.frombuffer(view, dtype=dtype, count=count, offset=offset).reshape(shape).copy())
        offset += nbytes
    count = [0]

    def walk(node, depth):
        count[0] += 1
        if count[0] > MAX_ITEMS or depth > MAX_DEPTH + 2 or not isinstance(node, dict):
            raise Malformed("bad structure")
        t = node.get("t")
        if t == "array":
            k = node.get("k")
            if type(k) is not int or not 0 <= k < len(arrays):
                raise Malformed("bad array reference")
            return arrays[k].copy()
        if t == "bool":
            return bool(node.get("v"))
        if t == "int":
            return int(node.get("v", 0))
        if t == "float":
            return float(str(node.get("v", "nan"))[:40])
        if t == "str":
            return str(node.get("v", ""))[:1000]
        if t == "none":
            return None
        items = node.get("items", [])
        if not isinstance(items, list):
            raise Malformed("bad items")
        if t == "tuple":
            return tuple(walk(x, depth + 1) for x in items)
        if t == "list":
            return [walk(x, depth + 1) for x in items]
        if t == "dict":
            if not all(isinstance(p, list) and len(p) == 2 for p in items):
                raise Malformed("bad dict")
            return {str(k)[:100]: walk(x, depth + 1) for k, x in items}
        if t == "namedtuple":
            fields = node.get("fields")
            name = str(node.get("name", ""))
            if not (isinstance(fields, list) and len(fields) == len(items) and name.isidentifier()
                    and all(isinstance(f, str) and f.isidentifier() and not f.startswith("_") for f in fields)
                    and len(set(fields)) == len(fields)):
                return tuple(walk(x, depth + 1) for x in items)
            key = (name, tuple(fields))
            if key not in namedtuples:
                namedtuples[key] = collections.namedtuple(name, fields)
            return namedtuples[key](*[walk(x, depth + 1) for x in items])
        return Opaque(str(node.get("type", "unknown"))[:100])

    try:
        return walk(tree, 0)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise Malformed(f"unreadable structure ({type(exc).__name__})") from None


# ---------------------------------------------------------------- frames ----------

def frame(kind, payload=b""):
    """One frame: a fixed header (magic, kind, length), then the payload."""
    return _HEADER.pack(MAGIC, kind, len(payload)) + payload


def read_frames(data):
    """``(frames, clean)``: the ``(kind, payload)`` frames in ``data``, and whether it
    ended on a frame boundary. Reading stops at the first bytes that are not a frame."""
    frames, offset, view = [], 0, memoryview(data)
    while offset + _HEADER.size <= len(view):
        magic, kind, size = _HEADER.unpack_from(view, offset)
        kind = kind.rstrip(b"\0")
        if magic != MAGIC or kind not in KINDS or size > len(view) - offset - _HEADER.size:
            return frames, False
        start = offset + _HEADER.size
        frames.append((kind.decode(), bytes(view[start:start + size])))
        offset = start + size
    return frames, offset == len(view)


class _Channel:
    """The pipe back to the grader, on a descriptor of its own (fd 1 becomes /dev/null)."""

    def __init__(self):
        self.fd = os.dup(1)
        os.set_inheritable(self.fd, False)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def send(self, kind, payload=b""):
        data = memoryview(frame(kind, payload))
        while data:
            data = data[os.write(self.fd, data):]


# ---------------------------------------------------------------- running ---------

def read_notebook(path):
    """The cells of the notebook the grader wrote (nbformat 4: it converted older ones)."""
    with open(path, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return cells


class _Outputs:
    """What one cell shows, in order, as nbformat 4 output dicts, within a size limit."""

    def __init__(self, limit=MAX_CELL_OUTPUT):
        self.items, self.left, self.cut = [], limit, False

    def _room(self, size):
        if size <= self.left:
            self.left -= size
            return True
        if not self.cut:
            self.cut = True
            self.items.append({"output_type": "stream", "name": "stderr",
                               "text": "[more output than the grader keeps: the rest is cut]\n"})
        return False

    def stream(self, name, text):
        if not isinstance(text, str) or not self._room(len(text)):
            return
        last = self.items[-1] if self.items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, kind, data, metadata=None, count=None):
        data = {m: v for m, v in dict(data or {}).items() if m in MIMES}
        data = {m: (v if isinstance(v, str) else json.dumps(v)) for m, v in data.items()}
        if not data or not self._room(sum(len(v) for v in data.values())):
            return
        item = {"output_type": kind, "data": data, "metadata": {}}
        if kind == "execute_result":
            item["execution_count"] = count
        self.items.append(item)

    def error(self, ename, evalue, traceback):
        if self._room(len(evalue) + sum(len(t) for t in traceback)):
            self.items.append({"output_type": "error", "ename": ename, "evalue": evalue,
                               "traceback": list(traceback)})

    def check(self, call):
        """Where the grader writes a check's outcome (its pass line or its CheckFailure)."""
        self.items.append({"output_type": "check", "call": call})


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` of a cell: writes become its stream outputs."""

    def __init__(self, shell, name):
        self.shell, self.name = shell, name

    def writable(self):
        return True

    def write(self, text):
        if self.shell.cell is not None:
            self.shell.cell.stream(self.name, str(text))
        return len(text)


def _shell():
    """One IPython shell, as a kernel has: magics, ``!``, ``?`` and ``display`` work, and
    what a cell shows (prints, displays, its last value, its error) is kept per cell."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, *args, **kwargs):
            if self.shell.cell is not None:
                self.shell.cell.rich("display_data", data, metadata)

        def clear_output(self, wait=False):
            if self.shell.cell is not None:
                self.shell.cell.items.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            if self.shell.cell is not None:
                self.shell.cell.rich("execute_result", format_dict, md_dict, self.shell.execution_count)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        cell = None  # the _Outputs of the cell now running
        display_pub_class = Type(Publisher)
        displayhook_class = Type(Hook)

        def _showtraceback(self, etype, evalue, stb):
            if self.cell is not None:
                name = getattr(etype, "__name__", "Error")
                self.cell.error(str(name)[:200], str(evalue)[:5000], [str(s) for s in stb][:200])

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = Shell.instance(config=config)
    shell.set_hook("show_in_pager", lambda *args, **kwargs: None)  # `?` shows help in a pager, not in the cell
    return shell


def _stub_checks(shell, channel, job, names=(), cpu_seconds=10):
    """``rnnlib.checks`` inside the jail: a stand-in whose ``check_<name>(fn, seed,
    hidden)`` calls ``fn`` (in a child, without rnnlib: :func:`_without_rnnlib`) on the
    cases the grader prepared and sends back what it returned. The grader judges it with
    the real check and writes the outcome where the call stood in the cell's outputs.
    The rest of rnnlib is there for the notebook's own cells, as in Jupyter."""
    import types

    calls = [0]

    class CheckFailure(AssertionError):
        """A function gives a wrong result (raised by the real checks; here for except clauses)."""

    def make(name):
        def check(fn, seed=0, hidden=False):
            calls[0] += 1
            call = calls[0]
            record = {"call": call, "name": name, "seed": seed if type(seed) is int else None,
                      "hidden": bool(hidden), "missing": True}
            path = os.path.join(job or "", "cases", f"check-{name}-{seed}-{'h' if hidden else 'p'}.bin")
            if job and callable(fn) and type(seed) is int and os.path.isfile(path):
                with open(path, "rb") as f:
                    cases = unpack(f.read())
                record["missing"] = False
                pid = _fork()
                if pid == 0:  # the child: the function on the cases, under the CPU budget of a graded one
                    try:
                        _limit_cpu(cpu_seconds)
                        _without_rnnlib()
                        sys.stdout = sys.stderr = io.StringIO()  # as the real check, prints are not the cell's
                        channel.send(b"check", _bounded_record(dict(record, results=_run_cases(fn, cases))))
                    finally:
                        os._exit(0)
                try:
                    _, status = os.waitpid(pid, 0)
                except BaseException:  # the cell's own time ran out: the child must not write on
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    raise
                if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
                    record["results"] = [{"ok": False, "error": f"TimeoutError: it ran longer than the "
                                                                f"{cpu_seconds} s of CPU a check may take"}]
                    channel.send(b"check", _bounded_record(record))
            else:
                channel.send(b"check", _bounded_record(record))
            if shell.cell is not None:
                shell.cell.check(call)

        check.__name__ = f"check_{name}"
        return check

    checks = types.ModuleType("rnnlib.checks")
    checks.CheckFailure = CheckFailure

    def attribute(name):
        if name.startswith("check_") and name[6:].isidentifier():
            value = make(name[6:])
            setattr(checks, name, value)
            return value
        raise AttributeError(f"rnnlib.checks has no {name} while grading")

    checks.__getattr__ = attribute
    for name in names:  # the assignment's checks exist from the start, as in rnnlib
        attribute(f"check_{name}")
    sys.modules["rnnlib.checks"] = checks
    if "rnnlib" in sys.modules:  # imported before the notebook (a warm jail): the attribute too
        sys.modules["rnnlib"].checks = checks
    sys.meta_path.insert(0, _ChecksOnPackage(checks))


class _ChecksOnPackage:
    """Makes ``rnnlib.checks`` (the stand-in) an attribute of ``rnnlib`` once it is imported,
    as importing the real submodule would."""

    def __init__(self, checks):
        self.checks = checks

    def find_spec(self, name, path=None, target=None):
        if name != "rnnlib":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            load, checks = spec.loader.exec_module, self.checks

            def exec_module(module):
                load(module)
                module.checks = checks

            spec.loader.exec_module = exec_module
        return spec


def _unavailable(*args, **kwargs):
    raise ImportError("rnnlib is not available to graded code: a graded function must not use it")


def _unavailable_code(free):
    """The code of :func:`_unavailable`, for a function with ``free`` closure cells."""
    if not free:
        return _unavailable.__code__
    names = [f"_{k}" for k in range(free)]
    source = (f"def outer():\n    {', '.join(names)} = {', '.join(['None'] * free)}\n"
              f"    def inner(*args, **kwargs):\n        ({', '.join(names)},)\n"
              f"        raise ImportError('rnnlib is not available to graded code: a graded function must not use it')\n"
              f"    return inner\n")
    namespace = {}
    exec(source, namespace)
    return namespace["outer"]().__code__


class _NoRnnlib:
    """A finder that refuses every import of rnnlib."""

    def find_spec(self, name, path=None, target=None):
        if name == "rnnlib" or name.startswith("rnnlib."):
            raise ImportError("rnnlib is not available to graded code: a graded function must not use it")
        return None


def _without_rnnlib():
    """In a child that runs graded code: every function of rnnlib already imported (by the
    notebook's cells) raises from now on, wherever it is referred to from, and rnnlib
    cannot be imported again, so a graded function cannot hand its work to the
    reference. The cells before ran with rnnlib, as in Jupyter; only this child changes."""
    import types

    def neutralise(value):
        if isinstance(value, types.FunctionType) and str(value.__module__).startswith("rnnlib"):
            value.__code__ = _unavailable_code(len(value.__code__.co_freevars))
            value.__defaults__ = value.__kwdefaults__ = None

    sys.meta_path.insert(0, _NoRnnlib())
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "rnnlib" or name.startswith("rnnlib.")) or name == "rnnlib.checks":
            continue
        for value in list(vars(module).values()):
            neutralise(getattr(value, "__wrapped__", None))
            neutralise(value)
            if isinstance(value, type) and str(value.__module__).startswith("rnnlib"):
                for member in list(vars(value).values()):
                    neutralise(getattr(member, "__func__", member))


def execute_notebook(cells, channel, skip=(), answers=None, cell_seconds=10, budget=None, outputs=False,
                     job=None, checks=(), cpu_seconds=10):
    """Run the code cells in one shell; errors in a cell are the cell's own business.

    Cells listed in ``skip`` (indices) are not run: an earlier attempt died in them.
    Cells past the ``budget`` (seconds for all cells) are not run either. With
    ``outputs``, each cell's outputs go back to the grader as an ``output`` frame.
    ``rnnlib.checks`` is the stand-in of :func:`_stub_checks` (``checks``: the names its
    ``check_<name>`` functions exist for from the start; cases read from ``job``).
    Returns ``{function: value at the end of its answer cell}`` for ``answers``
    (``{function: cell index}``), and the shell's namespace.
    """
    import signal
    import time

    def stop(signum, frame):
        raise TimeoutError(f"the cell ran longer than the {cell_seconds} s a cell may take")

    signal.signal(signal.SIGALRM, stop)
    shell = _shell()
    _stub_checks(shell, channel, job, checks, cpu_seconds)
    quiet = sys.stdout, sys.stderr
    streams = (_Stream(shell, "stdout"), _Stream(shell, "stderr")) if outputs else quiet
    answers = answers or {}
    taken = {}
    deadline = time.monotonic() + (budget if budget is not None else 1e9)
    sent = 0
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code" or index in skip:
            continue
        left = deadline - time.monotonic()
        if left < 1:
            channel.send(b"progress", b"budget")
            break
        channel.send(b"progress", f"cell {index}".encode())
        shell.cell = _Outputs(min(MAX_CELL_OUTPUT, max(0, MAX_OUTPUTS - sent))) if outputs else None
        sys.stdout, sys.stderr = streams
        try:
            signal.alarm(max(1, int(min(cell_seconds, left))))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                shell.run_cell(str(cell.get("source", "")), store_history=False)
        except BaseException:  # noqa: BLE001 - a student's cell may raise anything, SystemExit too
            pass
        finally:
            signal.alarm(0)
        sys.stdout, sys.stderr = quiet
        if outputs:
            payload = json.dumps({"cell": index, "count": shell.execution_count,
                                  "outputs": shell.cell.items}).encode("utf-8", "surrogatepass")
            sent += len(payload)
            channel.send(b"output", payload)
            shell.cell = None
            shell.execution_count += 1
        for name, at in answers.items():
            if at == index:
                taken[name] = _as_of_now(shell.user_ns).get(name)
    return taken, shell.user_ns


def _as_of_now(namespace):
    """A copy of the notebook's namespace in which its own functions look up globals in the
    copy: a function taken from it sees the helpers as they were, not later redefinitions."""
    import types

    frozen = dict(namespace)
    for key, value in frozen.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            copy = types.FunctionType(value.__code__, frozen, value.__name__, value.__defaults__,
                                      value.__closure__)
            copy.__kwdefaults__ = value.__kwdefaults__
            copy.__dict__.update(value.__dict__)
            frozen[key] = copy
    return frozen


def _run_cases(fn, cases):
    """Call fn on each case; each result is the return value (with the inputs it changed
    in place, see :func:`changed_inputs`) or an error record."""
    results = []
    names = _parameter_names(fn)
    for args in cases:
        before = _snapshot(args)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = fn(*args)
            results.append({"ok": True, "value": value, "changed": changed_inputs(before, args, names)})
        except BaseException as exc:  # noqa: BLE001
            results.append({"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}{where_raised(exc)}"})
    return results


# ---------------------------------------------------------------- in place --------

def _snapshot(value):
    """A deep copy of the arrays in a case's arguments (tuples, lists, dicts, NamedTuples)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_snapshot(v) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value)
    return value


def _parameter_names(fn):
    """The names of fn's positional parameters ("argument k" where one is not plain ASCII)."""
    import inspect
    import re

    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []
    return [p.name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,60}", p.name) else f"argument {k + 1}"
            for k, p in enumerate(params)]


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and bool((a == b).all())
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def changed_inputs(before, after, names):
    """``[[index, path], ...]``: each argument the call changed in place, with the path of
    the first place in it that changed (``dc``, ``cache[3]``, ``grads['Wx']``). Mirrors
    ``rnnlib.checks``' own detection, which this file cannot import; the grader reads
    these pairs strictly (:data:`CHANGED_PATH`)."""
    def walk(a, b, path):
        if _equal(a, b):
            return None
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            return next((p for k in a if (p := walk(a[k], b[k], f"{path}[{k!r}]"))), path)
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
            return next((p for k, (x, y) in enumerate(zip(a, b)) if (p := walk(x, y, f"{path}[{k}]"))), path)
        return path

    names = list(names)[:len(before)] + [f"argument {k + 1}" for k in range(len(names), len(before))]
    return [[k, p] for k, (a, b, n) in enumerate(zip(before, after, names)) if (p := walk(a, b, n))]


# what a path in a "changed" pair may look like: a parameter name, then indices or keys
CHANGED_PATH = r"(?:[A-Za-z_][A-Za-z0-9_]{0,60}|argument [0-9]{1,2})(?:\[(?:[0-9]{1,4}|'[A-Za-z0-9_]{1,40}')\]){0,8}"


def where_raised(exc):
    """`` (line L of your cell: `source`)`` for the innermost frame of the notebook's own
    code in the traceback (not Python's, not a library's), or "". Mirrors
    :func:`rnnlib.checks.raised.where_raised`, which this file cannot import."""
    import traceback

    library = (sys.prefix, sys.base_prefix, os.path.dirname(os.__file__))
    mine = [f for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith(library) and f.filename != __file__]
    if not mine:
        return ""
    frame = mine[-1]
    return f" (line {frame.lineno} of your cell: `{(frame.line or '').strip()[:120]}`)"


def _within(results, limit=MAX_RESULT_BYTES):
    """``results`` with any value too large to send back replaced by an error record."""
    kept, used = [], 0
    for result in results:
        size = sum(a.nbytes for a in encode(result)[0])
        if used + size > limit:
            result = {"ok": False, "error": f"ResultTooLarge: a value of about {size // 2**20} MB "
                                            f"is too large to send back to the grader"}
        used += len(pack(result))
        kept.append(result)
    return kept


def _bounded(name, results, limit=MAX_RESULT_BYTES):
    """The packed record of one graded function's ``results``."""
    return pack({"name": name, "missing": False, "results": _within(results, limit)})


def _bounded_record(record):
    """The packed record of one call of a check in a test cell."""
    if "results" in record:
        record = dict(record, results=_within(record["results"]))
    return pack(record)


def _matplotlib_cache(folder):
    """Copy the grader's prebuilt font list into this run's matplotlib folder, so that
    importing pyplot does not scan the system's fonts again (0.15 s) in every jail."""
    import shutil

    target = os.environ.get("MPLCONFIGDIR")
    if not folder or not target or not os.path.isdir(folder):
        return
    try:
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(folder):
            if name.startswith("fontlist") and name.endswith(".json"):
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
    except OSError:
        pass


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


def _limit_cpu(cpu_seconds, keep_alarm_handler=False):
    """In a forked child: at most ``cpu_seconds`` more of CPU, and three times that of wall
    clock (the alarm ends the child, or with ``keep_alarm_handler`` raises in it)."""
    import resource
    import signal

    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(sum(os.times()[:2])) + cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (limit if hard < 0 else min(limit, hard), hard))
    if not keep_alarm_handler:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(cpu_seconds * 3)  # wall-clock stop for sleeps and waits


def _fork(retries=200):
    """fork, waiting a little while the process limit is still full."""
    import time

    for _ in range(retries):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.02)
    return os.fork()


def main(plan):
    channel = _Channel()
    channel.send(b"progress", f"started {sum(os.times()[:2]):.4f}".encode())  # Python's start and imports
    sys.stdout = sys.stderr = io.TextIOWrapper(open(os.devnull, "wb"), write_through=True)
    job = plan["job"]
    _matplotlib_cache(plan.get("matplotlib_cache"))
    cells = read_notebook(os.path.join(job, "notebook.ipynb"))
    answers = {name: at for name, at in plan.get("answers", {}).items() if at is not None}
    taken, namespace = execute_notebook(cells, channel, set(plan.get("skip_cells", [])), answers,
                                        cell_seconds=int(plan.get("cell_seconds", 10)), budget=plan.get("budget"),
                                        outputs=bool(plan.get("outputs")), job=job,
                                        checks=plan.get("checks", []), cpu_seconds=int(plan.get("cpu_seconds", 10)))
    if plan.get("jailed"):  # only inside the jail: outside it, kill(-1) would reach the whole machine
        _stop_strays()
    cpu_seconds = int(plan.get("cpu_seconds", 10))
    for name in plan["functions"]:
        if name in plan.get("skip_functions", []):
            continue
        fn = taken.get(name) if name in answers else namespace.get(name)
        if not callable(fn):
            channel.send(b"result", pack({"name": name, "missing": True}))
            continue
        with open(os.path.join(job, "cases", name + ".bin"), "rb") as f:
            cases = unpack(f.read())
        channel.send(b"progress", f"function {name}".encode())
        pid = _fork()
        if pid == 0:  # the child: one function, its own CPU budget
            try:
                _limit_cpu(cpu_seconds, keep_alarm_handler=True)
                _without_rnnlib()
                channel.send(b"result", _bounded(name, _run_cases(fn, cases)))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    channel.send(b"progress", f"cpu {sum(os.times()[:4]):.4f}".encode())  # this process and its forks
    channel.send(b"done")


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
    os._exit(0)  # all is sent: skip tearing down the shell and the notebook's objects
