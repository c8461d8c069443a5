"""The instructor's pipeline end to end: release, validate, grade a simulated class.

Each assignment is graded once, for a class of: the full solution, the blank student
version, a partially correct student, one student per named common mistake of
rnnlib.checks (made by calling the mistake's variant, that is, by handing the work to
rnnlib, which the grader sees and says), and one student per implementation of the
NumPy catalogue (``tests/mistakes/``) for the assignment's functions. Every score is
asserted exactly, and each catalogue student's feedback page carries the sentence its
notebook's own check gives (computed here, in process).
"""

import csv
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import students

from rnnlib.checks import run_check
from rnnlib.checks.specs import SPECS

ROOT = students.ROOT
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
RNNCOURSE = [sys.executable, "-m", "rnnlib.course.cli"]
CATALOGUE = sorted((ROOT / "tests" / "mistakes").glob("*.py")) + sorted((ROOT / "tests" / "mistakes" / "independent").glob("*.py"))


def _sandbox_flags():
    """Grade in the sandbox where it can run; the corpus test covers containment itself."""
    from rnnlib.course import sandbox

    ok, _ = sandbox.available()
    return [] if ok and os.geteuid() == 0 else ["--unsafe-no-sandbox"]


def test_six_assignments_one_per_chapter():
    assert ASSIGNMENTS == ["02-unrolling", "03-bptt", "04-gradients", "05-cec", "06-lstm", "07-gru"]


def test_exercises_are_exactly_what_generation_produces():
    proc = subprocess.run(RNNCOURSE + ["release", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_structure(assignment):
    nb = students.load(assignment)
    answers = students.answer_cells(nb)
    points = students.test_points(nb)
    assert set(answers) == set(points), "each graded function has one test cell"
    for name, cell in answers.items():
        src = "".join(cell["source"])
        assert src.startswith(f"def {name}("), f"{name}: the answer cell holds the function alone"
        assert "### BEGIN SOLUTION" in src and "### END SOLUTION" in src
        assert name in SPECS, f"{name} has a reference check in rnnlib.checks"
    written = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")
               and c["cell_type"] == "markdown"]
    assert len(written) >= 2, "a few written questions"
    for c in nb["cells"]:
        m = c["metadata"].get("nbgrader", {})
        if m.get("grade") and not m.get("solution"):
            src = "".join(c["source"])
            assert "### BEGIN HIDDEN TESTS" in src and "hidden=True" in src
    released = json.loads((ROOT / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    text = json.dumps(released)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "hidden=True" not in text


def _dependents(nb, name):
    """Graded functions whose answer calls ``name`` (they fail with it)."""
    answers = students.answer_cells(nb)
    out = {name}
    changed = True
    while changed:
        changed = False
        for other, cell in answers.items():
            src = "".join(cell["source"])
            body = src.split("\n", 1)[1] if "\n" in src else ""
            if other not in out and any(re.search(rf"\b{f}\(", body) for f in out):
                out.add(other)
                changed = True
    return out


def _class(assignment, tmp):
    """Write the simulated class; return {student: (expected score, sentence or None)}."""
    nb = students.load(assignment)
    points = students.test_points(nb)
    total = sum(points.values())
    names = list(students.answer_cells(nb))
    expected = {}
    students.write(nb, tmp, "solution", assignment)
    expected["solution"] = (total, None)
    blank = json.loads((ROOT / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    students.write(blank, tmp, "blank", assignment)
    expected["blank"] = (0.0, None)
    # partially correct: the last function left undone
    partial = students.with_source(nb, names[-1], students.signature(students.answer_cells(nb)[names[-1]])
                                   + "\n    raise NotImplementedError()\n")
    students.write(partial, tmp, "partial", assignment)
    expected["partial"] = (total - sum(points[f] for f in _dependents(nb, names[-1])), None)
    for name in names:
        lost = sum(points[f] for f in _dependents(nb, name))
        for mistake in SPECS[name].mistakes:
            student = f"{name}--{mistake.label}".replace(" ", "_").replace("'", "p").replace("^", "")
            students.write(students.with_mistake(nb, name, mistake.label), tmp, student, assignment)
            expected[student] = (total - lost, f"hands the work to rnnlib's own {name} earns nothing")
        for path in CATALOGUE:
            namespace = {"__name__": f"catalogue_{path.stem}"}
            exec(compile(path.read_text(), str(path), "exec"), namespace)
            if namespace["FUNCTION"] != name:
                continue
            public = run_check(name, namespace[name])
            students.write(students.with_source(nb, name, path.read_text()), tmp, f"catalogue--{path.stem}", assignment)
            score = total if namespace["KIND"] == "correct" else total - lost
            expected[f"catalogue--{path.stem}"] = (score, None if public.passed else public.message)
    return expected


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grade_a_simulated_class(assignment, tmp_path):
    submitted = tmp_path / "submitted"
    expected = _class(assignment, submitted)
    before = {p: p.read_bytes() for p in submitted.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    proc = subprocess.run(RNNCOURSE + ["grade", assignment, str(submitted), "--out", str(out)]
                          + _sandbox_flags(), cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(expected)
    assert list(next(iter(rows.values())))[:11] == [
        "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
        "raw_score", "late_submission_penalty", "score", "max_score"]
    for student, (score, sentence) in expected.items():
        row = rows[student]
        assert row["status"] == "graded", (student, row)
        assert float(row["score"]) == score, (student, row["score"], score)
        if sentence:
            page = out / "feedback" / student / assignment / f"{assignment}.html"
            text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
            assert sentence in " ".join(text.split()), (student, sentence)
    after = {p: p.read_bytes() for p in submitted.rglob("*") if p.is_file()}
    assert after == before, "submissions are never modified"


def test_validate_passes_for_every_assignment():
    proc = subprocess.run(RNNCOURSE + ["validate"] + _sandbox_flags(), cwd=ROOT, capture_output=True,
                          text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.count("ok ") == len(ASSIGNMENTS)


def test_missing_and_invalid_notebooks_get_a_row(tmp_path):
    submitted = tmp_path / "submitted"
    (submitted / "empty" / "02-unrolling").mkdir(parents=True)
    (submitted / "wrongname" / "02-unrolling").mkdir(parents=True)
    (submitted / "wrongname" / "02-unrolling" / "mine.ipynb").write_text("{}")
    (submitted / "broken" / "02-unrolling").mkdir(parents=True)
    (submitted / "broken" / "02-unrolling" / "02-unrolling.ipynb").write_text("{not json")
    out = tmp_path / "out"
    proc = subprocess.run(RNNCOURSE + ["grade", "02-unrolling", str(submitted), "--out", str(out)]
                          + _sandbox_flags(), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert rows["empty"]["status"] == "missing notebook" and rows["empty"]["score"] == "0"
    assert rows["wrongname"]["status"] == "missing notebook"
    assert rows["broken"]["status"] == "invalid notebook"


def test_unknown_assignment_is_a_clear_error(tmp_path):
    proc = subprocess.run(RNNCOURSE + ["grade", "99-nope", str(tmp_path), "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "assignment: unknown 99-nope" in proc.stderr
