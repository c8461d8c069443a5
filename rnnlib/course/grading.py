"""``rnncourse grade``: grade a class safely, in parallel, and lose nothing.

For every student folder ``SUBMITTED_DIR/<student>/<assignment>/``, one worker process:

1. copies the submission into a private course folder (the original is never touched)
   and checks that the notebook is there and is a notebook;
2. scores it out of process (:mod:`rnnlib.course.outside`): the student's functions
   run in a jail and only arrays come back; this score is the one that counts;
3. runs nbgrader's autograde with the jailed kernel for the student's feedback, then
   writes the authoritative points into the gradebook, notes where the notebook's own
   tests disagreed (a tampered check), and renders nbgrader's feedback page.

Every student gets exactly one row in ``grades.csv`` with a ``status`` and one feedback
page, whatever the submission does; one student's failure never stops the batch.
"""

from __future__ import annotations

import concurrent.futures as futures
import csv
import html
import json
import os
import pathlib
import secrets
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from . import outside, sandbox
from .config import SOURCE, WORK
from .nbapi import api, run, venv_on_path

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]
KERNEL_CELL_TIMEOUT = 30  # seconds a cell may run in the feedback kernel


class SandboxUnavailable(RuntimeError):
    """Grading with a sandbox was asked for and cannot be had here."""


@dataclass
class Row:
    student_id: str
    status: str
    raw_score: float = 0.0
    max_score: float = 0.0
    timestamp: str = ""
    notes: list = field(default_factory=list)

    def csv(self, assignment):
        return {"assignment": assignment, "duedate": "", "timestamp": self.timestamp,
                "student_id": self.student_id, "last_name": "", "first_name": "", "email": "",
                "raw_score": _num(self.raw_score), "late_submission_penalty": "0",
                "score": _num(self.raw_score), "max_score": _num(self.max_score), "status": self.status}


def _num(x):
    return f"{float(x):g}"


# ---------------------------------------------------------------- the assignment --

@dataclass
class Assignment:
    """What grading needs to know about one assignment, read from its source."""

    name: str
    notebook: str  # the notebook's file name
    points: dict  # graded function -> points of its test cell
    max_score: float

    @classmethod
    def read(cls, root, name):
        folder = pathlib.Path(root) / SOURCE / name
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise ValueError(f"assignment {name}: expected one notebook in {folder}, found {len(notebooks)}")
        nb = json.loads(notebooks[0].read_text())
        points, total = {}, 0.0
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade"):
                total += float(meta.get("points", 0))
                if not meta.get("solution") and meta["grade_id"].startswith("test_"):
                    points[meta["grade_id"][len("test_"):]] = float(meta["points"])
        return cls(name, notebooks[0].name, points, total)


def course_secret(root):
    """The secret behind the hidden seeds: RNNCOURSE_SECRET, or a file made once in course-work/."""
    if os.environ.get("RNNCOURSE_SECRET"):
        return os.environ["RNNCOURSE_SECRET"]
    path = pathlib.Path(root) / WORK / "grading-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip()


def _valid_notebook(path):
    try:
        import nbformat

        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
        return True
    except Exception:
        return False


# ---------------------------------------------------------------- one student -----

def _feedback_page(student, assignment, row, verdicts):
    """A plain feedback page, for when nbgrader could not render one."""
    items = "".join(
        f"<li><b>{html.escape(v.name)}</b>: {'passed' if v.passed else html.escape(v.message)}</li>"
        for v in verdicts.values())
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in row.notes)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment.name)}"
            f" feedback</title></head><body><h1>{html.escape(assignment.name)}: {html.escape(student)}</h1>"
            f"<p>Status: {html.escape(row.status)}. Score: {_num(row.raw_score)} / {_num(assignment.max_score)}"
            f" (autograded points; written answers are graded by hand).</p>{notes}<ul>{items}</ul></body></html>")


def _autograde_for_feedback(course_root, assignment, student, verdicts, row, jail):
    """nbgrader autograde in the jailed kernel; then the authoritative points go in."""
    from nbgrader.api import Gradebook

    extra = {}
    if jail is not None:
        ipc = pathlib.Path(jail.workdir) / "ipc"
        ipc.mkdir(parents=True, exist_ok=True)
        sandbox.hand_over(ipc, jail.uid)  # the kernel makes its sockets here
        os.environ[sandbox.JOB_ENV] = jail.to_json()
        os.environ["JUPYTER_PATH"] = str(course_root / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(course_root / "runtime")
        extra = {"kernel_name": sandbox.KERNEL_NAME, "ipc": str(ipc / "kernel")}
    nb = api(course_root, release=str(course_root / "release"), work=course_root / "work",
             cell_timeout=KERNEL_CELL_TIMEOUT, **extra)
    with venv_on_path():
        result = nb.autograde(assignment.name, student, force=True, create=True)
    if not result.get("success"):
        row.notes.append("The notebook itself could not be run to the end for feedback "
                         "(a cell stopped the kernel, or the test cells were changed); "
                         "the score below comes from running your functions separately.")
        return None
    with Gradebook(nb.coursedir.db_url) as gb:
        for name, points in assignment.points.items():
            verdict = verdicts[name]
            authoritative = points if verdict.passed else 0.0
            try:
                grade = gb.find_grade(f"test_{name}", assignment.notebook[:-6], assignment.name, student)
            except Exception:  # the test cell was deleted or renamed in the submission
                grade = None
            note = verdict.message if not verdict.passed else ""
            if grade is not None:
                in_notebook = grade.auto_score
                if in_notebook is not None and in_notebook > authoritative and verdict.mistake != "delegation":
                    note = ("The test cell in your notebook reported a pass, but the grader's own "
                            "check (run outside your notebook) did not: a check was tampered with, "
                            "and the grader's result counts. " + note)
                    row.notes.append(f"{name}: tampered check")
                grade.auto_score = authoritative
            try:
                comment = gb.find_comment(name, assignment.notebook[:-6], assignment.name, student)
                comment.manual_comment = note or "Passed the grader's checks."
            except Exception:
                pass
        gb.db.commit()
    with venv_on_path():
        nb.generate_feedback(assignment.name, student, force=True)
    page = course_root / "work" / "feedback" / student / assignment.name / assignment.notebook.replace(".ipynb", ".html")
    return page if page.exists() else None


def grade_one(root, template, assignment, student, folder, out_dir, secret, slot, use_sandbox):
    """Grade one student; never raises. Returns a :class:`Row`."""
    row = Row(student, "graded", max_score=assignment.max_score)
    verdicts = {}
    with tempfile.TemporaryDirectory(prefix=f"rnncourse-{slot}-") as tmp:
        tmp = pathlib.Path(tmp)
        os.chmod(tmp, 0o755)
        try:
            notebook = folder / assignment.notebook
            if not folder.is_dir() or not notebook.is_file():
                row.status = "missing notebook"
                row.notes.append(f"No {assignment.notebook} was found in {student}/{assignment.name}/.")
            elif not _valid_notebook(notebook):
                row.status = "invalid notebook"
                row.notes.append(f"{assignment.notebook} is not a valid notebook (is it damaged JSON?).")
            else:
                stamp = folder / "timestamp.txt"
                row.timestamp = stamp.read_text().strip()[:40] if stamp.is_file() else ""
                course = tmp / "course"
                shutil.copytree(template, course, symlinks=True)
                submitted = course / "work" / "submitted" / student / assignment.name
                submitted.mkdir(parents=True)
                shutil.copy(notebook, submitted / assignment.notebook)
                uid = 61000 + slot
                jail = None
                if use_sandbox:
                    home = tmp / "runner"
                    home.mkdir()
                    jail = sandbox.Jail(str(home), uid=uid, limits=sandbox.Limits(cpu_seconds=60))
                status, verdicts = outside.score(assignment.name, submitted / assignment.notebook,
                                                 list(assignment.points), secret, student,
                                                 tmp / "runner", jail)
                row.status = status
                row.raw_score = sum(p for n, p in assignment.points.items() if verdicts[n].passed)
                kernel_jail = None
                if use_sandbox:
                    kernel_home = tmp / "kernel"
                    kernel_home.mkdir()
                    kernel_jail = sandbox.Jail(str(kernel_home), uid=uid,
                                               readonly=[str(pathlib.Path(__file__).resolve().parents[1])])
                    sandbox.hand_over(kernel_home, uid)
                page = _autograde_for_feedback(course, assignment, student, verdicts, row, kernel_jail)
                if page is not None:
                    target = out_dir / "feedback" / student / assignment.name
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy(page, target / page.name)
                    return row
        except Exception:  # a bug of ours, or a submission we did not foresee: still a row
            row.status = "crashed"
            row.raw_score = 0.0
            row.notes.append("The grader failed on this submission; please tell your instructor.")
            row.notes.append(traceback.format_exc(limit=3)[-500:])
        target = out_dir / "feedback" / student / assignment.name
        target.mkdir(parents=True, exist_ok=True)
        (target / assignment.notebook.replace(".ipynb", ".html")).write_text(
            _feedback_page(student, assignment, row, verdicts))
    return row


# ---------------------------------------------------------------- the class -------

def _template(root, assignment, folder):
    """A private course with the assignment generated (its gradebook records the cells)."""
    course = pathlib.Path(folder) / "template"
    shutil.copytree(pathlib.Path(root) / SOURCE / assignment.name, course / SOURCE / assignment.name)
    nb = api(course, release=str(course / "release"), work=course / "work")
    with venv_on_path():
        run(nb.generate_assignment(assignment.name, force=True, create=True),
            f"generate_assignment {assignment.name}")
    sandbox.install_kernelspec(course / "jupyter")
    (course / "runtime").mkdir()
    for path in (course, course / "runtime"):
        os.chmod(path, 0o755)
    return course


def _worker(args):
    return grade_one(*args)


def grade_class(root, assignment_name, submitted_dir, out_dir, jobs=None, use_sandbox=True,
                progress=True):
    """Grade every student folder of ``submitted_dir``; write grades.csv and feedback."""
    root, submitted_dir, out_dir = pathlib.Path(root), pathlib.Path(submitted_dir), pathlib.Path(out_dir)
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"SUBMITTED_DIR: no such folder: {submitted_dir}")
    if use_sandbox:
        ok, why = sandbox.available()
        if not ok:
            raise SandboxUnavailable(
                f"cannot sandbox student code: {why}. Install it (apt-get install bubblewrap), "
                f"or pass --unsafe-no-sandbox to grade without containment (student code then "
                f"runs with your rights).")
        if os.geteuid() != 0:
            raise SandboxUnavailable("the sandbox switches to an unprivileged user per student and "
                                     "needs root; run as root or pass --unsafe-no-sandbox")
    assignment = Assignment.read(root, assignment_name)
    secret = course_secret(root)
    students = sorted(p.name for p in submitted_dir.iterdir() if p.is_dir())
    jobs = jobs or os.cpu_count() or 1
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rnncourse-class-") as tmp:
        os.chmod(tmp, 0o755)
        template = _template(root, assignment, tmp)
        tasks = [(root, template, assignment, s, submitted_dir / s / assignment_name, out_dir, secret,
                  i, use_sandbox) for i, s in enumerate(students)]
        bar = tqdm(total=len(tasks), desc=f"grading {assignment_name}", unit="student", disable=not progress)
        import multiprocessing

        # Workers are the grader's own code and are reused from student to student (every
        # student's code runs in processes of its own, in jails); the fork server loads
        # nbgrader once, so a worker starts in milliseconds.
        context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        if sys.platform != "win32":
            context.set_forkserver_preload(["rnnlib.course.grading", "nbgrader.apps.api",
                                            "nbgrader.api", "nbconvert", "nbclient"])
        with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            pending = {pool.submit(_worker, t): t[3] for t in tasks}
            for done in futures.as_completed(pending):
                student = pending[done]
                try:
                    rows.append(done.result())
                except Exception as exc:  # the worker process itself died
                    rows.append(Row(student, "crashed", max_score=assignment.max_score,
                                    notes=[f"grading process failed: {exc}"]))
                bar.update(1)
        bar.close()
    write_csv(out_dir / "grades.csv", assignment_name, rows)
    return rows


def write_csv(path, assignment, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r.student_id):
            writer.writerow(row.csv(assignment))


def validate(root, assignment, use_sandbox=True):
    """Grade the solution and the blank student version; return (solution, blank) rows."""
    root = pathlib.Path(root)
    info = Assignment.read(root, assignment)
    with tempfile.TemporaryDirectory(prefix="rnncourse-validate-") as tmp:
        submitted = pathlib.Path(tmp) / "submitted"
        for student, folder in (("solution", root / SOURCE / assignment),
                                ("blank", root / "exercises" / assignment)):
            target = submitted / student / assignment
            target.mkdir(parents=True)
            shutil.copy(folder / info.notebook, target / info.notebook)
        rows = grade_class(root, assignment, submitted, pathlib.Path(tmp) / "out",
                           use_sandbox=use_sandbox, progress=False)
    by_student = {r.student_id: r for r in rows}
    return by_student["solution"], by_student["blank"], info
