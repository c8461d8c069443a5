"""`rnncourse grade ASSIGNMENT` on a course's collected submissions, into the gradebook
the formgrader shows, on SQLite and on a real PostgreSQL server.

A copy of the course is set up as an instructor's would be after `nbgrader collect`:
the assignment generated (so the gradebook knows its cells), a due date set, and
nbgrader's submitted/ folder holding a correct student, one with a named mistake, a
late one, a blank one and one who submitted a notebook under the wrong name. Then, with
nbgrader's own commands and API only: the autograded points and the sentences are in
the gradebook, a written answer graded by hand adds to the total, the late one is
penalised by nbgrader's plugin, `nbgrader generate_feedback` carries the grader's
sentences, and the totals agree with `nbgrader export`. On PostgreSQL, two grading
processes at once leave exactly one submission and one grade per cell.
"""

import contextlib
import csv
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import students

import postgres

ROOT = students.ROOT
A = "02-unrolling"
BIN = pathlib.Path(sys.executable).parent
RNNCOURSE = [sys.executable, "-m", "rnnlib.course.cli"]
DUE = "2026-12-01 12:00:00 UTC"
ON_TIME, LATE = "2026-12-01 10:00:00.000000 UTC", "2026-12-02 09:30:00.000000 UTC"
pytestmark = [pytest.mark.classroom, pytest.mark.requires_tool]


def _sandbox_flags():
    from rnnlib.course import sandbox

    ok, _ = sandbox.available()
    return [] if ok and os.geteuid() == 0 else ["--unsafe-no-sandbox"]


def _source(path):
    """The function in a file of tests/mistakes/ (its own imports included)."""
    text = (ROOT / "tests" / "mistakes" / path).read_text()
    return text[text.index("import numpy"):]


def run(course, *cmd, timeout=900):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(list(cmd), cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


def nbgrader(course, *args):
    done = run(course, str(BIN / "nbgrader"), *args, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


CANARY = "rnncourse-canary-a9f3c1"


def _collected(course, folder):
    """nbgrader's submitted/ folder as `nbgrader collect` leaves it; gina's also holds a
    link to a file of the grader's (a canary) and a FIFO beside a good notebook."""
    nb = students.load(A)
    submitted = course / "course-work" / "submitted"
    expected = {}  # student -> (autograded points, late)
    for student, notebook, stamp, points in (
            ("alice", nb, ON_TIME, 7.0),
            ("bob", students.with_source(nb, "rnn_forward", _source("rnn_forward_zeros_start.py")), ON_TIME, 3.0),
            ("carol", nb, LATE, 7.0),
            ("dave", json.loads((ROOT / "exercises" / A / f"{A}.ipynb").read_text()), ON_TIME, 0.0)):
        folder = students.write(notebook, submitted, student, A)
        (folder / "timestamp.txt").write_text(stamp)
        expected[student] = (points, stamp == LATE)
    canary = pathlib.Path(folder) / "grader-only.txt"
    canary.write_text(CANARY)
    os.chmod(canary, 0o600)
    gina = students.write(nb, submitted, "gina", A)
    (gina / "timestamp.txt").write_text(ON_TIME)
    (gina / "notes.txt").symlink_to(canary)
    os.mkfifo(gina / "pipe")
    expected["gina"] = (7.0, False)
    wrong_name = submitted / "erin" / A
    wrong_name.mkdir(parents=True)
    (wrong_name / "Untitled.ipynb").write_text(json.dumps(nb))
    (wrong_name / "timestamp.txt").write_text(ON_TIME)
    empty = submitted / "frank" / A
    empty.mkdir(parents=True)
    (empty / f"{A}.ipynb").write_bytes(b"")
    (empty / "timestamp.txt").write_text(ON_TIME)
    return expected


def _course(folder, db_url=None):
    course = pathlib.Path(folder) / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    if db_url:
        with open(course / "nbgrader_config.py", "a") as f:
            f.write(f"\nget_config().CourseDirectory.db_url = {db_url!r}  # noqa: F821\n")
    for name in ("solutions", "exercises"):
        shutil.copytree(ROOT / name / A, course / name / A)
    return course


def _gradebook(course):
    """The course's gradebook, opened with the course's configuration."""
    from rnnlib.course.gradebook import _cwd

    with _cwd(course):
        from nbgrader.apps.baseapp import NbGrader

        app = NbGrader()
        app.initialize([])
        from nbgrader.api import Gradebook

        return Gradebook(app.coursedir.db_url, app.coursedir.course_id)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def graded(request):
    """The course graded once by `rnncourse grade A`; yields (course, expected, proc, db_url)."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="rnncourse-gradebook-"))
    try:
        with (postgres.server() if request.param == "postgresql" else contextlib.nullcontext()) as db_url:
            course = _course(folder, db_url)
            nbgrader(course, "generate_assignment", A, "--force")
            nbgrader(course, "db", "assignment", "add", A, f"--duedate={DUE}")
            expected = _collected(course, folder)
            proc = run(course, *RNNCOURSE, "grade", A, *_sandbox_flags())
            yield course, expected, proc, db_url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_grades_go_into_the_course_gradebook(graded):
    course, expected, proc, _ = graded
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "5 submission(s) in the course's gradebook" in proc.stdout, proc.stdout
    with open(course / "course-work" / "rnncourse" / A / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    # a notebook under another name, an empty one: a row, a reason, and nothing in the gradebook
    assert rows["erin"]["status"] == "missing notebook" and rows["frank"]["status"] == "invalid notebook"
    assert f"not in the gradebook: erin (missing notebook): No {A}.ipynb was found" in proc.stderr, proc.stderr
    assert "not in the gradebook: frank (invalid notebook)" in proc.stderr, proc.stderr
    assert rows["carol"]["late_submission_penalty"] == "7" and rows["carol"]["score"] == "0"
    assert rows["carol"]["duedate"].startswith("2026-12-01 12:00:00")
    with _gradebook(course) as gb:
        for student, (points, late) in expected.items():
            submission = gb.find_submission(A, student)
            assert submission.code_score == points, (student, submission.code_score)
            assert float(rows[student]["raw_score"]) == points
            assert (submission.total_seconds_late > 0) == late
            assert submission.late_submission_penalty == (points if late else 0), student
            written = [g for g in submission.notebooks[0].grades if g.cell_type == "markdown"]
            # written answers wait for a grader; a blank one is nbgrader's "No response", scored 0
            assert written and all(g.needs_manual_grade == (student != "dave") for g in written), student
        for student in ("erin", "frank"):
            with pytest.raises(Exception):
                gb.find_submission(A, student)
        comment = gb.find_comment("rnn_forward", A, A, "bob")
        assert "starts the sequence from zeros" in html.unescape(comment.manual_comment)
    # what a submission brought beside its notebook is never opened: the gradebook's import reads
    # only the intake's copy (a link to the grader's file, a FIFO would hang a reader)
    assert sorted(p.name for p in (course / "course-work" / "autograded" / "gina" / A).iterdir()) == [
        f"{A}.ipynb", "timestamp.txt"]
    for path in (course / "course-work").rglob("*"):
        if path.is_file() and not path.is_symlink() and "submitted" not in path.parts:
            assert CANARY not in path.read_text(errors="replace"), f"{path} holds the grader's file"
    autograded = course / "course-work" / "autograded" / "alice" / A / f"{A}.ipynb"
    assert autograded.is_file(), "the formgrader shows the autograded notebook"
    outputs = [o for c in json.loads(autograded.read_text())["cells"] for o in c.get("outputs", [])]
    assert outputs, "the notebook as the grader executed it, with its outputs"


def test_written_answers_feedback_and_totals(graded):
    course, expected, proc, _ = graded
    assert proc.returncode == 0, proc.stderr[-3000:]
    with _gradebook(course) as gb:  # what the formgrader does when the grader gives points
        gb.find_grade("unrolling-work", A, A, "alice").manual_score = 2.0
        gb.find_comment("unrolling-work", A, A, "alice").manual_comment = "Clear and right."
        gb.db.commit()
        totals = {s: max(gb.find_submission(A, s).score - gb.find_submission(A, s).late_submission_penalty, 0.0)
                  for s in expected}
    assert totals == {"alice": 9.0, "bob": 3.0, "carol": 0.0, "dave": 0.0, "gina": 7.0}
    nbgrader(course, "generate_feedback", A, "--force")
    pages = {s: course / "course-work" / "feedback" / s / A / f"{A}.html" for s in expected}
    text = {s: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", p.read_text())).split()) for s, p in pages.items()}
    assert "Passed the grader's checks." in text["alice"] and "Clear and right." in text["alice"]
    assert "starts the sequence from zeros" in text["bob"]
    export = course / "grades-export.csv"
    nbgrader(course, "export", f"--to={export}")
    with open(export) as f:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f) if r["assignment"] == A}
    assert exported == totals


def test_a_regrade_keeps_the_manual_points_and_adds_no_row(graded):
    course, expected, proc, db_url = graded
    assert proc.returncode == 0, proc.stderr[-3000:]
    with _gradebook(course) as gb:
        gb.find_grade("unrolling-work", A, A, "bob").manual_score = 1.0
        gb.db.commit()
    # two grading processes at once on the same class (the PostgreSQL case is the one that must hold;
    # SQLite serialises them with its file lock and nbgrader's retries)
    outs = [course / "course-work" / f"again-{i}" for i in (1, 2)]
    procs = [subprocess.Popen(RNNCOURSE + ["grade", A, "--out", str(out), *_sandbox_flags()], cwd=course,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"))
             for out in outs]
    results = [p.communicate(timeout=900) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, out[-2000:] + err[-3000:]
    out = course / "course-work" / "rnncourse" / A
    for _ in range(3):  # the gradebook's writers themselves, started together: they overlap
        imports = [subprocess.Popen([sys.executable, "-m", "rnnlib.course.gradebook", A, str(out), *expected],
                                    cwd=course, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        for p in imports:
            stdout, stderr = p.communicate(timeout=300)
            assert p.returncode == 0, stderr[-2000:]
            assert all("error" not in r for r in json.loads(stdout.splitlines()[-1]).values()), stdout
    with _gradebook(course) as gb:
        submissions = gb.assignment_submissions(A)
        assert sorted(s.student.id for s in submissions) == sorted(expected)
        for s in submissions:
            cells = [g.name for nb in s.notebooks for g in nb.grades]
            assert len(cells) == len(set(cells)) == 4, (s.student.id, cells)
            assert s.code_score == expected[s.student.id][0]
        assert gb.find_grade("unrolling-work", A, A, "bob").manual_score == 1.0


def test_grading_before_collect_says_so(tmp_path):
    course = _course(tmp_path)
    done = run(course, *RNNCOURSE, "grade", A, "--unsafe-no-sandbox")
    assert done.returncode == 1
    assert f"no submissions of {A} in" in done.stderr and f"nbgrader collect {A}" in done.stderr
    assert not (course / "course-work" / "rnncourse").exists()
