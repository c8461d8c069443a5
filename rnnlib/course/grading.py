"""``rnncourse grade``: autograde a class with nbgrader and export grades and feedback.

Grading always works on copies in a private course folder: the submissions given are
never modified. Every student folder yields exactly one row of ``grades.csv`` (with a
``status``) and, where a notebook could be graded, a feedback page.
"""

from __future__ import annotations

import csv
import json
import pathlib
import shutil
import tempfile
from dataclasses import dataclass

from tqdm.auto import tqdm

from .config import SOURCE
from .nbapi import api, run, venv_on_path

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]


@dataclass
class Row:
    student_id: str
    status: str
    raw_score: float = 0.0
    late_submission_penalty: float = 0.0
    score: float = 0.0
    max_score: float = 0.0
    timestamp: str = ""
    code_score: float = 0.0
    max_code_score: float = 0.0

    def csv(self, assignment, duedate=""):
        return {"assignment": assignment, "duedate": duedate, "timestamp": self.timestamp,
                "student_id": self.student_id, "last_name": "", "first_name": "", "email": "",
                "raw_score": _num(self.raw_score), "late_submission_penalty": _num(self.late_submission_penalty),
                "score": _num(self.score), "max_score": _num(self.max_score), "status": self.status}


def _num(x):
    return f"{float(x):g}"


def source_notebooks(root, assignment):
    return sorted(p.name for p in (pathlib.Path(root) / SOURCE / assignment).glob("*.ipynb"))


def _valid_notebook(path):
    try:
        import nbformat

        nbformat.validate(nbformat.read(str(path), as_version=4))
        return True
    except Exception:
        return False


class Course:
    """A private nbgrader course in ``folder`` holding one assignment's source."""

    def __init__(self, root, assignment, folder):
        self.root = pathlib.Path(root)
        self.assignment = assignment
        self.folder = pathlib.Path(folder)
        shutil.copytree(self.root / SOURCE / assignment, self.folder / SOURCE / assignment)
        self.work = self.folder / "work"
        self.api = api(self.folder, release=str(self.folder / "release"), work=self.work)
        with venv_on_path():  # records the assignment and its cells in the gradebook
            run(self.api.generate_assignment(assignment, force=True, create=True),
                f"generate_assignment {assignment}")
        self.max_score = self._max_score()

    def _max_score(self):
        from nbgrader.api import Gradebook

        with Gradebook(self.api.coursedir.db_url) as gb:
            return gb.find_assignment(self.assignment).max_score

    def submit(self, student_id, files):
        """Copy a student's submitted files into the course (never touching the originals)."""
        target = self.work / "submitted" / student_id / self.assignment
        target.mkdir(parents=True, exist_ok=True)
        for src in files:
            shutil.copy(src, target / src.name)
        return target

    def grade(self, student_id):
        """Autograde and write feedback for one submitted student; return their Row."""
        from nbgrader.api import Gradebook

        with venv_on_path():
            result = self.api.autograde(self.assignment, student_id, force=True, create=True)
            if not result.get("success"):
                return Row(student_id, "crashed", max_score=self.max_score)
            self.api.generate_feedback(self.assignment, student_id, force=True)
        with Gradebook(self.api.coursedir.db_url) as gb:
            sub = gb.find_submission(self.assignment, student_id)
            return Row(student_id, "graded", sub.score, sub.late_submission_penalty,
                       sub.score - sub.late_submission_penalty, sub.max_score,
                       str(sub.timestamp or ""), sub.code_score, sub.max_code_score)

    def feedback_files(self, student_id):
        folder = self.work / "feedback" / student_id / self.assignment
        return sorted(folder.glob("*.html")) if folder.is_dir() else []


def grade_class(root, assignment, submitted_dir, out_dir, progress=True):
    """Grade every ``<student>/<assignment>/`` under ``submitted_dir``.

    Writes ``out_dir/grades.csv`` (nbgrader's export columns plus ``status``) and
    ``out_dir/feedback/<student>/<assignment>/*.html``; returns the rows.
    """
    submitted_dir, out_dir = pathlib.Path(submitted_dir), pathlib.Path(out_dir)
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"SUBMITTED_DIR: no such folder: {submitted_dir}")
    expected = source_notebooks(root, assignment)
    students = sorted(p.name for p in submitted_dir.iterdir() if p.is_dir())
    rows = []
    with tempfile.TemporaryDirectory(prefix="rnncourse-") as tmp:
        course = Course(root, assignment, tmp)
        for student in tqdm(students, desc=f"grading {assignment}", unit="student", disable=not progress):
            folder = submitted_dir / student / assignment
            files = [folder / name for name in expected if (folder / name).is_file()]
            if not folder.is_dir() or not files:
                rows.append(Row(student, "missing notebook", max_score=course.max_score))
                continue
            if not all(_valid_notebook(f) for f in files):
                rows.append(Row(student, "invalid notebook", max_score=course.max_score))
                continue
            course.submit(student, files + [p for p in folder.glob("timestamp.txt")])
            row = course.grade(student)
            rows.append(row)
            for page in course.feedback_files(student):
                target = out_dir / "feedback" / student / assignment
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy(page, target / page.name)
    write_csv(out_dir / "grades.csv", assignment, rows)
    return rows


def write_csv(path, assignment, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r.student_id):
            writer.writerow(row.csv(assignment))


def validate(root, assignment, progress=False):
    """Grade the solution and the blank student version; return (solution, blank) rows."""
    root = pathlib.Path(root)
    with tempfile.TemporaryDirectory(prefix="rnncourse-validate-") as tmp:
        submitted = pathlib.Path(tmp) / "submitted"
        for student, folder in (("solution", root / SOURCE / assignment),
                                ("blank", root / "exercises" / assignment)):
            target = submitted / student / assignment
            target.mkdir(parents=True)
            for nb in source_notebooks(root, assignment):
                shutil.copy(folder / nb, target / nb)
        rows = grade_class(root, assignment, submitted, pathlib.Path(tmp) / "out", progress=progress)
    by_student = {r.student_id: r for r in rows}
    return by_student["solution"], by_student["blank"]


def read_notebook_json(path):
    return json.loads(pathlib.Path(path).read_text())
