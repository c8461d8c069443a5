"""Checks that students' test cells call: compare with rnnlib and name the mistake.

``check_rnn_step_backward(rnn_step_backward)`` runs the student's function on seeded
inputs, compares every output with rnnlib's reference (and, for gradients, with
finite differences), and either prints one line saying what passed or raises
:class:`CheckFailure` with one sentence that says what is wrong and, where the
output equals a known wrong variant, which common mistake it is. Right values in a
narrower floating-point dtype than the inputs' (float32 from float64) fail too, and a
forward pass's cache is compared entry by entry with the layout its assignment gives
(:mod:`.caches`), since the backward pass reads it by place.

Public tests use one small case (``seed=0``); hidden tests call the same check with
``hidden=True``: other seeds, larger shapes and the edge cases N=1, T=1, so a
hard-coded answer fails; a backward pass gets caches whose stored activations are
not the forward pass of the cached inputs, so re-running the forward (numerically
differentiated, say) fails too. Warnings and prints from the student's function are
captured and reported, never written to stderr, so they cannot cost points.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import warnings
from dataclasses import dataclass

from ..backend import is_array, to_numpy
from .caches import cache_fault
from .compare import close, diagnose, narrower, relative_error
from .localise import _names, where_wrong
from .raised import hint, where_raised
from .specs import SPECS, case_args

__all__ = ["CheckFailure", "run_check", "SPECS"] + [f"check_{name}" for name in SPECS]


class CheckFailure(AssertionError):
    """A student's function gives a wrong result; the message says what and why."""


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str
    mistake: str | None = None  # the label of a recognised common mistake
    output: str | None = None  # the output that was wrong


def _copy(obj):
    """A deep copy of arrays inside tuples, lists, dicts and NamedTuples."""
    if is_array(obj):
        return obj * 1 if not hasattr(obj, "copy") else obj.copy()
    if isinstance(obj, dict):
        return {k: _copy(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_copy(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_copy(v) for v in obj)
    return obj


def _same(a, b):
    """Whether two argument structures hold identical values."""
    if is_array(a):
        return is_array(b) and tuple(a.shape) == tuple(b.shape) and bool((to_numpy(a) == to_numpy(b)).all())
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _arg_names(fn, n):
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    return names[:n] + [f"argument {k + 1}" for k in range(len(names), n)]


def _changed(given, args, names):
    """``[(index, path), ...]``: each argument that differs from its copy, with the path of
    the first place in it that differs: ``dc``, ``cache[3]``, ``grads['Wx']``."""
    def walk(a, b, path):
        if _same(a, b):
            return None
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            return next((p for k in a if (p := walk(a[k], b[k], f"{path}[{k!r}]"))), path)
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
            return next((p for k, (x, y) in enumerate(zip(a, b)) if (p := walk(x, y, f"{path}[{k}]"))), path)
        return path

    return [(k, p) for k, (a, b, n) in enumerate(zip(given, args, names)) if (p := walk(a, b, n))]


def _in_place(fn, given, args):
    """The inputs ``fn`` changed in place during its call on ``given`` (copies of ``args``).

    A stand-in for a function that ran elsewhere (the grader's replay of what the jailed
    runner recorded) cannot be watched here: it says itself, through ``inputs_changed()``,
    what the runner saw change."""
    report = getattr(fn, "inputs_changed", None)
    if callable(report):
        return list(report())
    return _changed(given, args, _arg_names(fn, len(args)))


def _values_right(spec, args, result):
    try:
        outputs = spec.pick(result)
    except TypeError:
        return False
    reference = spec.reference(*_copy(args))
    return all(is_array(g) and close(to_numpy(g) * 1.0, to_numpy(e) * 1.0) for g, e in zip(outputs, reference))


def _widest_float(obj):
    """The widest floating-point dtype among the arrays in ``obj`` (None if it holds none)."""
    if is_array(obj):
        dtype = to_numpy(obj).dtype
        return dtype if dtype.kind == "f" else None
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        found = [d for d in map(_widest_float, obj) if d is not None]
        return max(found, key=lambda d: d.itemsize) if found else None
    return None


def _narrow_outputs(spec, outputs, args):
    """``[(output, dtype), ...]`` for the outputs whose floating-point dtype is narrower than
    the inputs' (float32 for float64 inputs). Float32 for float32 inputs is right."""
    widest = _widest_float(args)
    return [(n, to_numpy(g).dtype) for n, g in zip(spec.outputs, outputs) if narrower(g, widest)], widest


def _narrow_sentence(narrow, widest):
    """What to say when right values come back in a narrower dtype than the inputs'."""
    dtypes = _names(sorted({str(d) for _, d in narrow}))
    return (f"{_names([n for n, _ in narrow])} {'has' if len(narrow) == 1 else 'have'} dtype {dtypes}, "
            f"narrower than the {widest} of the inputs: the values are right, but "
            f"{'it keeps' if len(narrow) == 1 else 'they keep'} fewer digits than the inputs carry. "
            f"Make arrays in the inputs' dtype (np.zeros_like(x), or dtype=x.dtype), not {dtypes}.")


def _outputs_right(spec):
    outputs = list(spec.outputs)
    return f"{_names(outputs)} {'is' if len(outputs) == 1 else 'are'} right"


def _describe(sizes, seed, hidden):
    shape = ", ".join(f"{k}={v}" for k, v in sizes.items())
    return f"{'a hidden case' if hidden else 'the case'} {shape} (seed {seed})"


def _call(fn, args):
    """Call the student's function, capturing prints and warnings."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        result = fn(*args)
    return result, out.getvalue() + err.getvalue(), [str(w.message) for w in caught]


def _match_mistake(spec, args, index, got):
    """``(mistake, its outputs)``: the first named mistake whose output ``index`` equals the
    student's, or ``(None, None)``."""
    expected = spec.reference(*_copy(args))[index]
    for mistake in spec.mistakes:
        try:
            outputs = mistake.variant(*_copy(args))
            wrong = outputs[index]
        except Exception:  # a variant that does not apply to this case
            continue
        if is_array(got) and close(got, wrong) and not close(wrong, expected):
            return mistake, outputs
    return None, None


def _agreeing_where(spec, outputs, variant, reference, sizes):
    """Where the student's answer goes wrong, if the named mistake goes wrong in the same
    places (then both are said), else ""."""
    found = where_wrong(spec.name, spec.outputs, outputs, reference, sizes)
    try:
        expected = where_wrong(spec.name, spec.outputs, [to_numpy(v) for v in variant], reference, sizes)
    except Exception:  # a variant whose outputs cannot be localised
        return ""
    return found if found and found == expected else ""


def run_check(name, fn, seed=0, hidden=False):
    """Run the check of graded function ``name`` on ``fn``; return a :class:`CheckResult`."""
    spec = SPECS[name]
    cases = list(enumerate(spec.hidden if hidden else spec.public))
    worst_ref, worst_fd, notes, overwritten = 0.0, None, [], None
    for k, sizes in cases:
        case_seed = seed + k
        args = case_args(spec, case_seed, sizes, hidden=hidden)
        where = _describe(sizes, case_seed, hidden)
        given = _copy(args)
        try:
            result, printed, caught = _call(fn, given)
        except Exception as exc:  # the student's code raised: report it, don't crash
            text = f"{exc}{where_raised(exc)}"
            return CheckResult(name, False, f"{name} raised {type(exc).__name__}: {text} — on {where}."
                                            f"{hint(text)}")
        if caught:
            notes.append(f"{len(caught)} warning(s), e.g. {caught[0]!r}")
        changed = _in_place(fn, given, args)
        kept = [path for k, path in changed if k not in spec.consumed]
        if kept:
            values = "your values are right; only the in-place update is wrong" \
                if _values_right(spec, args, result) else "and its values are wrong too"
            rule = ""
            if spec.consumed:
                allowed = _names([_arg_names(spec.reference, len(args))[k] for k in spec.consumed])
                rule = (f"; of its inputs only the upstream gradient{'s' if len(spec.consumed) > 1 else ''} "
                        f"{allowed} may be overwritten")
            return CheckResult(name, False, f"{name} changed its input {kept[0]} in place on {where} "
                                            f"({values}): compute new arrays instead (e.g. a = a + b, "
                                            f"not a += b), since the caller still needs its inputs{rule}.")
        if changed and overwritten is None:
            overwritten = changed[0][1]
        try:
            outputs = spec.pick(result)
        except TypeError as exc:
            return CheckResult(name, False, f"{name} returned the wrong kind of result: {exc}.")
        reference = spec.reference(*_copy(args))
        for index, (out_name, got, expected) in enumerate(zip(spec.outputs, outputs, reference)):
            verdict = diagnose(out_name, got, to_numpy(expected), sizes, context="")
            if verdict.ok:
                worst_ref = max(worst_ref, relative_error(to_numpy(got) * 1.0, to_numpy(expected) * 1.0))
                continue
            expected_all = [to_numpy(e) for e in reference]
            mistake, variant = _match_mistake(spec, args, index, got)
            if mistake is not None:
                found = _agreeing_where(spec, outputs, variant, expected_all, sizes)
                message = f"{name} {mistake.sentence}{' ' + found if found else ''} (Seen in {out_name} on {where}.)"
                return CheckResult(name, False, message, mistake.label, out_name)
            found = where_wrong(name, spec.outputs, outputs, expected_all, sizes)
            return CheckResult(name, False, f"{name}: {verdict.message}{' ' + found if found else ''} "
                                            f"(On {where}.)", None, out_name)
        narrow, widest = _narrow_outputs(spec, outputs, args)
        if narrow:
            return CheckResult(name, False, f"{name}: {_narrow_sentence(narrow, widest)} (On {where}.)",
                               "narrow dtype", narrow[0][0])
        fault = cache_fault(spec.cache, args, result) if spec.cache is not None else None
        if fault is not None:
            return CheckResult(name, False, f"{name}: {_outputs_right(spec)}, but {fault.sentence} "
                                            f"(Seen in {fault.where} on {where}.)",
                               f"cache: {fault.label}" if fault.label else None, fault.where)
        if spec.numerical is not None and not hidden:
            numeric = spec.numerical(case_seed, sizes)
            for got, fd in zip(outputs, numeric):
                err = relative_error(to_numpy(got) * 1.0, to_numpy(fd) * 1.0)
                worst_fd = err if worst_fd is None else max(worst_fd, err)
    cache = " and the cache" if spec.cache is not None else ""
    message = (f"{name} passes: {len(spec.outputs)} output(s){cache} match rnnlib's reference "
               f"(largest relative error {worst_ref:.1e})")
    if worst_fd is not None:
        message += f" and finite differences ({worst_fd:.1e})"
    message += f" on {len(cases)} {'hidden case(s)' if hidden else 'case(s)'}."
    if notes:
        message += " Note: your function emitted " + "; ".join(notes) + " (this costs nothing)."
    if overwritten:
        message += (f" Note: it overwrote its upstream gradient {overwritten} in place, which is "
                    f"allowed (no caller reads it again) and costs nothing.")
    return CheckResult(name, True, message)


def _make_check(name):
    def check(fn, seed=0, hidden=False):
        result = run_check(name, fn, seed=seed, hidden=hidden)
        if not result.passed:
            raise CheckFailure(result.message)
        print("\u2714 " + result.message)

    check.__name__ = f"check_{name}"
    check.__doc__ = (f"Check a student's ``{name}`` against rnnlib's reference; print a pass "
                     f"line or raise :class:`CheckFailure` naming the mistake.")
    return check


for _name in SPECS:
    globals()[f"check_{_name}"] = _make_check(_name)
del _name
