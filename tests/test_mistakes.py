"""The catalogue of realistic wrong (and right) implementations in tests/mistakes/.

Each file there is one implementation written for this project, as a student would
write it, with ``FUNCTION`` (the graded function), ``KIND`` (``correct``, ``named``:
the check names the mistake or the fault, ``localised``: it says where the mistake is,
``generic``) and ``WORDS`` that the feedback must contain. The public check must give
that verdict, and the hidden cases must agree on pass or fail.

    .venv/bin/python tests/test_mistakes.py     # prints the table per function, then the
                                                # independent catalogue's (test_mistakes_independent.py)
"""

import collections
import importlib.util
import pathlib

import pytest

from rnnlib.checks import run_check

FOLDER = pathlib.Path(__file__).parent / "mistakes"
FILES = sorted(FOLDER.glob("*.py"))
# a sentence from compare.diagnose names the fault even when no variant matched it
FAULTS = ("has shape", "wrong sign", "transpose of the right answer", "times too", "constant factor",
          "all zeros", "contains NaN", "contains inf", "not an array", "is None", "has dtype")
WHERE = ("are right", "is right", "gate block", "steps t =", "of your cell")


def load(path):
    spec = importlib.util.spec_from_file_location(f"mistake_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verdict(module):
    """``(kind, public result, hidden result)`` for one catalogue entry."""
    fn = getattr(module, module.FUNCTION)
    public = run_check(module.FUNCTION, fn)
    hidden = run_check(module.FUNCTION, fn, seed=4242, hidden=True)
    shown = public if not public.passed else hidden
    if shown.passed:
        kind = "correct"
    elif shown.mistake or any(p in shown.message for p in FAULTS):
        kind = "named"
    elif any(p in shown.message for p in WHERE):
        kind = "localised"
    else:
        kind = "generic"
    return kind, public, hidden, shown


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_catalogue_entry(path):
    module = load(path)
    kind, public, hidden, shown = verdict(module)
    assert kind == module.KIND, shown.message
    for words in module.WORDS:
        assert words in shown.message, shown.message
    assert hidden.passed == (module.KIND == "correct"), hidden.message
    assert "[[" not in shown.message and "array(" not in shown.message, "never print an array"


def table():
    counts = collections.defaultdict(collections.Counter)
    for path in FILES:
        module = load(path)
        counts[module.FUNCTION][verdict(module)[0]] += 1
    return counts


def test_at_least_eight_in_ten_wrong_answers_are_named_or_localised():
    counts = table()
    wrong = sum(c[k] for c in counts.values() for k in ("named", "localised", "generic"))
    helped = sum(c[k] for c in counts.values() for k in ("named", "localised"))
    assert wrong >= 10 and helped >= 0.8 * wrong, dict(counts)


if __name__ == "__main__":
    rows = table()
    print(f"{'function':22} {'correct':>8} {'named':>6} {'localised':>10} {'generic':>8}")
    for name, c in sorted(rows.items()):
        print(f"{name:22} {c['correct']:8} {c['named']:6} {c['localised']:10} {c['generic']:8}")
    total = sum(rows.values(), collections.Counter())
    print(f"{'all':22} {total['correct']:8} {total['named']:6} {total['localised']:10} {total['generic']:8}")
    print("\nThe independent catalogue, tests/mistakes/independent/:")
    import test_mistakes_independent

    test_mistakes_independent.print_table()
