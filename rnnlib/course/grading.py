"""``rnncourse grade``: grade a class safely, in parallel, and lose nothing.

For every entry ``SUBMITTED_DIR/<student>/<assignment>/``, one worker process:

1. takes the submission in as data (:mod:`rnnlib.course.intake`): no link is followed,
   only regular files are read, each within a size limit;
2. runs nbgrader's autograde on a private copy, whose execution step is the one run of
   the notebook (:mod:`rnnlib.course.singlerun`): the cells and the graded functions
   run once, in a jail (:mod:`rnnlib.course.outside`); the student's functions return
   only arrays, on a pipe, which the grader compares in its own process (the score that
   counts), and what each cell showed comes back the same way for the feedback;
3. writes the authoritative points into that gradebook, notes where a test cell's
   outcome was changed from inside the notebook, and renders nbgrader's feedback page.

The parent process starts one worker per student (at most ``jobs`` at once), gives each
a wall-clock limit and a lane (:mod:`rnnlib.course.lane`: a jail kept up for the whole
run, whose imports are done once, emptied between students), and records every row in
a journal as it arrives; ``grades.csv``
is replaced atomically as rows come in. A worker that dies or overruns costs only its
own student a ``crashed`` or ``timeout`` row. An interrupted run stops every worker and
jail, removes its temporary folders, leaves a ``grades.csv`` of the students finished,
and ``--resume`` finishes the class without grading those again.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import pathlib
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field

from tqdm.auto import tqdm

from . import clean, intake, outside, sandbox, singlerun
from .config import SOURCE
from .nbapi import api, run, venv_on_path
from .secret import check_unchanged, course_secret, fingerprint

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]
# what the server that forks one grading process per student imports first (warm: a rehearsal)
PRELOAD = ["rnnlib.course.grading", "nbgrader.apps.api", "nbgrader.api", "nbconvert", "rnnlib.checks",
           "rnnlib.course.warm"]
NB_STUDENT = "student"  # the id each private course's gradebook knows the student by
JOURNAL = "grades.journal"


class SandboxUnavailable(RuntimeError):
    """Grading with a sandbox was asked for and cannot be had here."""


@dataclass
class GradingLimits:
    """Per student; every one also bounds the whole student, not only one file or cell."""

    student_seconds: float = 600.0  # wall clock for everything about one student
    grace_seconds: float = 60.0  # past student_seconds, before the parent kills the worker
    kernel_seconds: float = 300.0  # the notebook's run: every cell together
    cell_seconds: int = 30  # one cell of the notebook's run
    disk_bytes: int = 256 * 1024**2  # each jail's /work and /tmp together
    jail_memory_bytes: int = 4 * 1024**3  # address space of each jailed process
    worker_memory_bytes: int = 6 * 1024**3  # address space of the grader's own worker
    notebook_bytes: int = 50 * 1024**2  # the submitted notebook
    result_bytes: int = 64 * 1024**2  # all that the runner may send back

    def jail(self, uid):
        return sandbox.Jail(uid=uid, limits=sandbox.Limits(
            memory_bytes=self.jail_memory_bytes, cpu_seconds=int(self.kernel_seconds) + 60,
            disk_bytes=self.disk_bytes))


@dataclass
class Row:
    student_id: str  # the folder's name, exactly (undecodable bytes kept as surrogates)
    status: str
    raw_score: float = 0.0
    max_score: float = 0.0
    timestamp: str = ""
    notes: list = field(default_factory=list)
    digest: str = ""  # of the submitted notebook's bytes, for --resume
    late_penalty: float = 0.0  # nbgrader's, once the course's gradebook has the submission
    duedate: str = ""
    cpu: dict = field(default_factory=dict)  # CPU seconds by phase: jail, execution, scoring, feedback

    def csv(self, assignment):
        return {"assignment": assignment, "duedate": clean.csv_cell(self.duedate),
                "timestamp": clean.csv_cell(self.timestamp),
                "student_id": clean.csv_cell(self.student_id), "last_name": "", "first_name": "",
                "email": "", "raw_score": _num(self.raw_score), "late_submission_penalty": _num(self.late_penalty),
                "score": _num(max(self.raw_score - self.late_penalty, 0.0)), "max_score": _num(self.max_score),
                "status": self.status}


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


@dataclass
class Context:
    """What every worker needs; the same for the whole class."""

    root: str
    template: str
    assignment: Assignment
    submitted: str
    out: str
    secret: str
    limits: GradingLimits
    use_sandbox: bool
    tmp: str
    records: bool = False  # keep each student's record for the course's gradebook
    page_cache: str = ""  # a 0700 folder of the run's own for compiled feedback templates


# ---------------------------------------------------------------- one student -----

def feedback_path(out, student, assignment):
    return pathlib.Path(out) / "feedback" / student / assignment.name / assignment.notebook.replace(".ipynb", ".html")


def _write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # a fresh, unique file
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _feedback_page(student, assignment, row, verdicts):
    """A plain feedback page, for when nbgrader could not render one."""
    items = "".join(
        f"<li><b>{clean.escaped(v.name)}</b>: {'passed' if v.passed else clean.escaped(v.message)}</li>"
        for v in verdicts.values())
    notes = "".join(f"<p>{clean.escaped(n)}</p>" for n in row.notes)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment.name)}"
            f" feedback</title></head><body><h1>{html.escape(assignment.name)}: {clean.escaped(student)}</h1>"
            f"<p>Status: {html.escape(row.status)}. Score: {_num(row.raw_score)} / {_num(assignment.max_score)}"
            f" (autograded points; written answers are graded by hand).</p>{notes}<ul>{items}</ul></body></html>")


def _with_notes(page, row):
    """nbgrader's page with the grader's notes (escaped) at the top of its body."""
    if not row.notes:
        return page
    notes = "".join(f"<p>{clean.escaped(n)}</p>" for n in row.notes)
    block = (f'<div class="rnncourse-notes" style="border:1px solid #c60;padding:0 1em;margin:1em">'
             f"<p><b>From the grader</b> (status: {html.escape(row.status)})</p>{notes}</div>").encode()
    at = page.find(b"<body")
    end = page.find(b">", at) + 1 if at >= 0 else 0
    return page[:end] + block + page[end:]


def _autograde(ctx, course, request, row, comments, job):
    """nbgrader's autograde, whose execution step is the one jailed run
    (:class:`~rnnlib.course.singlerun.SingleRun`); then the authoritative points and
    sentences go into its gradebook and nbgrader renders the feedback page. Returns the
    page (None if nbgrader could not make one); the run's result is ``request.result``
    (None if nbgrader stopped before the run)."""
    from nbgrader.api import Gradebook

    assignment = ctx.assignment
    job = str(job)
    nb = api(course, release=str(course / "release"), work=course / "work",
             cell_timeout=ctx.limits.cell_seconds, single_run=job, page_cache=ctx.page_cache or None)
    singlerun.RUNS[job] = request
    try:
        with venv_on_path():
            result = nb.autograde(assignment.name, NB_STUDENT, force=True, create=True)
    finally:
        singlerun.RUNS.pop(job, None)
    if request.result is None:
        return None
    verdicts = request.result.verdicts
    if not result.get("success"):
        row.notes.append("nbgrader could not save the run of this notebook for feedback; the score "
                         "below comes from the grader's own checks of your functions.")
        return None
    with Gradebook(nb.coursedir.db_url) as gb:
        for name, points in assignment.points.items():
            verdict = verdicts[name]
            authoritative = points if verdict.passed else 0.0
            try:
                grade = gb.find_grade(f"test_{name}", assignment.notebook[:-6], assignment.name, NB_STUDENT)
            except Exception:  # the test cell was deleted or renamed in the submission
                grade = None
            note = verdict.message if not verdict.passed else ""
            if grade is not None:
                in_notebook = grade.auto_score
                # The public case is the same call in the notebook and in the grader: a test
                # cell that passed there while it fails here had its outcome changed.
                if in_notebook and not verdict.public_passed and verdict.mistake != "delegation" \
                        and verdict.message and "could not be graded" not in verdict.message:
                    note = ("The test cell in your notebook reported a pass, but the grader's own "
                            "check (run outside your notebook) did not: a check was tampered with, "
                            "and the grader's result counts. " + note)
                    row.notes.append(f"{name}: tampered check")
                grade.auto_score = authoritative
            comments[name] = note or "Passed the grader's checks."
            try:
                comment = gb.find_comment(name, assignment.notebook[:-6], assignment.name, NB_STUDENT)
                comment.manual_comment = clean.comment_text(comments[name])
            except Exception:
                pass
        gb.db.commit()
    with venv_on_path():
        nb.generate_feedback(assignment.name, NB_STUDENT, force=True)
    page = course / "work" / "feedback" / NB_STUDENT / assignment.name / assignment.notebook.replace(".ipynb", ".html")
    return page if page.is_file() and not page.is_symlink() else None


def _write_record(ctx, student, course, verdicts, row, comments):
    """What :mod:`rnnlib.course.gradebook` puts into the course's gradebook: the
    submission as the intake read it (the private course's copy: the notebook, the parsed
    time and nbgrader's submission secret, nothing else), the executed notebook (when the run reached the end) and
    the authoritative results."""
    from .gradebook import EXECUTED_FILE, GRADER_FILE, record_folder

    assignment = ctx.assignment
    folder = record_folder(ctx.out, student)
    read = course / "work" / "submitted" / NB_STUDENT / assignment.name
    for name in (assignment.notebook, "timestamp.txt", "submission_secret.txt"):
        if (read / name).is_file():
            _write_atomically(folder / assignment.name / name, (read / name).read_bytes())
    executed = course / "work" / "autograded" / NB_STUDENT / assignment.name / assignment.notebook
    if executed.is_file() and not executed.is_symlink():
        _write_atomically(folder / EXECUTED_FILE, executed.read_bytes())
    record = {"status": row.status, "notes": row.notes,
              "points": {f"test_{n}": (p if verdicts[n].passed else 0.0) for n, p in assignment.points.items()},
              "comments": {n: comments.get(n) or (v.message if not v.passed else "Passed the grader's checks.")
                           for n, v in verdicts.items()}}
    _write_atomically(folder / GRADER_FILE, json.dumps(record).encode("utf-8", "surrogateescape"))


def grade_one(ctx, student, slot, uid=None, lane=None):
    """Grade one student; never raises. Returns a :class:`Row` and writes its page.
    The notebook runs in ``lane`` (a :class:`~rnnlib.course.lane.Lane`) when one is
    given, else in a jail of its own as ``uid`` (or unjailed without the sandbox)."""
    started = time.process_time()
    assignment, limits = ctx.assignment, ctx.limits
    deadline = time.monotonic() + limits.student_seconds
    row = Row(student, "graded", max_score=assignment.max_score)
    verdicts, request = {}, None
    tmp = pathlib.Path(ctx.tmp) / f"student-{slot}"
    tmp.mkdir(mode=0o755)
    page = None
    if ctx.records:  # a record of an earlier run must not stand for this submission
        from .gradebook import record_folder

        shutil.rmtree(record_folder(ctx.out, student), ignore_errors=True)
    try:
        sub = intake.read(ctx.submitted, student, assignment.name, assignment.notebook, limits.notebook_bytes)
        row.digest, row.timestamp = sub.digest, sub.timestamp
        row.notes.extend(sub.notes)
        if sub.status is not None:
            row.status = sub.status
        else:
            course = tmp / "course"
            shutil.copytree(ctx.template, course, symlinks=True)
            submitted = course / "work" / "submitted" / NB_STUDENT / assignment.name
            submitted.mkdir(parents=True)
            (submitted / assignment.notebook).write_bytes(sub.notebook)
            if sub.timestamp:
                (submitted / "timestamp.txt").write_text(sub.timestamp)
            if sub.exchange_secret:
                (submitted / "submission_secret.txt").write_text(sub.exchange_secret)
            jail = lane if lane is not None else limits.jail(uid) if ctx.use_sandbox else None
            jobs = lane.jobs if lane is not None else tmp  # the lane's jail sees only its own folder
            budget = max(5.0, min(limits.kernel_seconds, deadline - time.monotonic() - 60))
            cache = pathlib.Path(ctx.template).parent / "matplotlib"
            request = singlerun.Request(assignment.name, list(assignment.points), ctx.secret, student, jail,
                                        deadline - 30, limits.result_bytes, budget, limits.cell_seconds,
                                        str(cache) if cache.is_dir() else None)
            comments = {}  # function -> the sentence its cell carries in the gradebook
            made = _autograde(ctx, course, request, row, comments, jobs / "runner")
            if request.result is None:  # nbgrader stopped before the run: score the notebook as submitted
                request.result = outside.run(assignment.name, sub.cells, list(assignment.points), ctx.secret,
                                             student, jobs / "runner-alone", jail, deadline=deadline - 30,
                                             max_bytes=limits.result_bytes, budget=budget,
                                             cell_seconds=limits.cell_seconds)
                row.notes.append("nbgrader could not read this notebook's cells, so the feedback page "
                                 "shows only the grader's checks of your functions.")
            row.status, verdicts = request.result.status, request.result.verdicts
            row.raw_score = sum(p for n, p in assignment.points.items() if verdicts[n].passed)
            if made is not None:
                page = _with_notes(made.read_bytes(), row)
            if ctx.records:
                _write_record(ctx, student, course, verdicts, row, comments)
    except Exception:  # a bug of ours, or a submission we did not foresee: still a row
        row.status = "crashed"
        row.raw_score = 0.0
        row.notes.append("The grader failed on this submission; please tell your instructor.")
        row.notes.append(traceback.format_exc(limit=3)[-500:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if lane is not None:
            for name in ("runner", "runner-alone"):
                shutil.rmtree(lane.jobs / name, ignore_errors=True)
            if lane.owned():  # a jail this worker started again after one of its runs ended the lane's
                lane.stop()
    if page is None:
        page = _feedback_page(student, assignment, row, verdicts).encode("utf-8", "surrogateescape")
    _write_atomically(feedback_path(ctx.out, student, assignment), page)
    if request is not None and request.result is not None:
        row.cpu = {k: round(v, 4) for k, v in request.result.seconds.items()}
        row.cpu["feedback"] = round(max(0.0, time.process_time() - started - request.result.seconds["scoring"]), 4)
    return row


def _student_process(conn, ctx, student, slot, lane=None):
    """A worker: one student, under the worker's own memory limit; the row goes back on conn.
    With a ``lane``, the student's notebook runs in it (as the lane's uid)."""
    limit = ctx.limits.worker_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's own SQLAlchemy notices
    warnings.filterwarnings("ignore", message=".*not in session.*")
    try:
        if lane is not None:
            row = grade_one(ctx, student, slot, lane.jail.uid, lane)
        elif ctx.use_sandbox:
            with sandbox.UidPool().claim() as uid:
                row = grade_one(ctx, student, slot, uid)
        else:
            row = grade_one(ctx, student, slot)
    except BaseException:  # noqa: BLE001 - even a MemoryError leaves a row
        row = Row(student, "crashed", max_score=ctx.assignment.max_score,
                  notes=["The grader's worker failed on this submission; please tell your instructor."])
    conn.send(row)
    conn.close()


# ---------------------------------------------------------------- the class -------

def _matplotlib_cache(folder):
    """Start building a matplotlib font list beside the template, which each jail copies
    in (:func:`rnnlib.course.runner._matplotlib_cache`) instead of scanning the fonts;
    returns the process, to be waited for."""
    import subprocess

    cache = pathlib.Path(folder) / "matplotlib"
    cache.mkdir(mode=0o755)
    return subprocess.Popen([sandbox.PYTHON, "-c", "import matplotlib.font_manager"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=sandbox.unjailed_env(MPLCONFIGDIR=str(cache)))


def _template(root, assignment, folder, fonts=True):
    """A private course with the assignment generated (its gradebook records the cells),
    and (``fonts``) the matplotlib font list the jails share."""
    import subprocess

    fonts = _matplotlib_cache(folder) if fonts else None
    course = pathlib.Path(folder) / "template"
    shutil.copytree(pathlib.Path(root) / SOURCE / assignment.name, course / SOURCE / assignment.name)
    nb = api(course, release=str(course / "release"), work=course / "work")
    with venv_on_path():
        run(nb.generate_assignment(assignment.name, force=True, create=True),
            f"generate_assignment {assignment.name}")
    if fonts is not None:
        try:
            fonts.wait(120)
        except subprocess.TimeoutExpired:  # no font list: each jail scans the fonts itself
            fonts.kill()
            fonts.wait()
        for path in (pathlib.Path(folder) / "matplotlib").rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return course


def _private_folder(parent, name):
    """A new 0700 folder of the grader's own under ``parent``; its path."""
    folder = pathlib.Path(parent) / name
    folder.mkdir(mode=0o700)
    return str(folder)


def _warm_server():
    """Start the server that forks one grading process per student now, in a thread, so
    that its preload (imports and the rehearsal of :mod:`rnnlib.course.warm`) runs while
    the template is generated; returns the thread."""
    import threading

    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(PRELOAD)

    def start():
        with contextlib.suppress(Exception):  # the first student's start will try again
            proc = mp.Process(target=int, daemon=True)
            proc.start()
            proc.join()

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    return thread


class Journal:
    """Rows as they finish, one JSON line each, flushed to disk; the run's first line
    names the assignment and the secret's fingerprint, so a resume can check both."""

    def __init__(self, out, assignment, mark, resume):
        self.path = pathlib.Path(out) / JOURNAL
        self.done = {}
        header = {"assignment": assignment, "secret": mark}
        if resume and self.path.is_file() and not self.path.is_symlink():
            lines = self.path.read_text(encoding="utf-8").splitlines()
            first = json.loads(lines[0]) if lines else {}
            if first != header:
                raise ValueError(f"--resume: {self.path} is from another run "
                                 f"(assignment {first.get('assignment')!r}, or the grading secret changed)")
            for line in lines[1:]:
                with contextlib.suppress(ValueError, TypeError):
                    row = Row(**json.loads(line))
                    self.done[row.student_id] = row
            self.file = open(self.path, "a", encoding="utf-8")
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.file = open(self.path, "x", encoding="utf-8")
            self._write(header)

    def _write(self, obj):
        # json escapes lone surrogates (\udcxx), so undecodable names come back exactly
        self.file.write(json.dumps(obj) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def add(self, row):
        self.done[row.student_id] = row
        self._write(asdict(row))

    def close(self):
        self.file.close()


def write_csv(path, assignment, rows):
    """Replace ``path`` atomically with one row per student, sorted by id."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r.student_id):
        writer.writerow(row.csv(assignment))
    _write_atomically(pathlib.Path(path), buffer.getvalue().encode("utf-8", "surrogateescape"))


@contextlib.contextmanager
def _signals_deferred(*signums):
    """Signals that arrive inside the block are handled (by their handlers of before)
    when it ends. Python runs signal handlers in the main thread, whichever thread the
    kernel hands a signal to, so the handlers are swapped rather than the signal mask
    (tqdm's monitor thread, or Dask's, would take a signal the main thread blocks, and
    the main thread would still raise at once). Call it from the main thread."""
    caught = []
    previous = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum)) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


class Interrupted(Exception):
    """The run was stopped (Ctrl-C or SIGTERM) after grading ``done`` of ``total``."""

    def __init__(self, done, total):
        super().__init__(f"interrupted after grading {done} of {total} submission(s)")
        self.done, self.total = done, total


def _fallback_row(ctx, student, status, note):
    row = Row(student, status, max_score=ctx.assignment.max_score, notes=[note])
    with contextlib.suppress(OSError):
        _write_atomically(feedback_path(ctx.out, student, ctx.assignment),
                          _feedback_page(student, ctx.assignment, row, {}).encode("utf-8", "surrogateescape"))
    return row


def _lanes(ctx, jobs, stack):
    """One lane per student graded at once, each with a uid claimed for the whole run
    (released by ``stack``, which also ends the lanes); started at once, so that their
    imports overlap the first students' bookkeeping."""
    from .lane import Lane

    cache = pathlib.Path(ctx.template).parent / "matplotlib"
    lanes = []
    for k in range(jobs):
        uid = stack.enter_context(sandbox.UidPool().claim())
        folder = pathlib.Path(ctx.tmp) / f"lane-{k}"
        folder.mkdir(mode=0o755)
        lane = Lane(ctx.limits.jail(uid), folder, cache if cache.is_dir() else None)
        stack.callback(lane.stop)
        lane.start()
        lanes.append(lane)
    return lanes


def _schedule(ctx, students, jobs, on_row, progress):
    """One process per student, at most ``jobs`` at once, each within its wall clock; with
    the sandbox, each runs its notebook in a lane of its own while it is graded."""
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(PRELOAD)
    pending = list(enumerate(students))
    running = {}  # slot -> (process, connection, student, started, lane)
    grace = ctx.limits.grace_seconds
    bar = tqdm(total=len(students), desc=f"grading {ctx.assignment.name}", unit="student", disable=not progress)
    stack = contextlib.ExitStack()
    try:
        lanes = min(jobs, len(pending))  # never more students at once than there are
        free = _lanes(ctx, lanes, stack) if ctx.use_sandbox else [None] * lanes
        while pending or running:
            while pending and len(running) < jobs:
                slot, student = pending.pop(0)
                lane = free.pop()
                if lane is not None and not lane.alive():  # its last run ended it: a fresh jail
                    lane.stop()
                    lane.start()
                parent, child = mp.Pipe(duplex=False)
                proc = mp.Process(target=_student_process, args=(child, ctx, student, slot, lane), daemon=True)
                proc.start()
                child.close()
                running[slot] = (proc, parent, student, time.monotonic(), lane)
            ready = multiprocessing.connection.wait(
                [r[1] for r in running.values()] + [r[0].sentinel for r in running.values()], timeout=1.0)
            for slot, (proc, conn, student, started, lane) in list(running.items()):
                row, lost = None, False  # lost: the worker did not finish (its lane's jail may be busy)
                if conn in ready or proc.sentinel in ready:
                    try:
                        row = conn.recv() if conn.poll() else None
                    except (EOFError, OSError):
                        row = None
                    if row is None:
                        proc.join(5)
                        if proc.is_alive():
                            continue
                        lost = True
                        row = _fallback_row(ctx, student, "crashed", "The grading process for this "
                                            "submission died; please tell your instructor.")
                elif time.monotonic() - started > ctx.limits.student_seconds + grace:
                    proc.kill()
                    lost = True
                    row = _fallback_row(ctx, student, "timeout", "Grading this submission took longer "
                                        f"than the {ctx.limits.student_seconds:g} s allowed for one student.")
                else:
                    continue
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
                conn.close()
                shutil.rmtree(pathlib.Path(ctx.tmp) / f"student-{slot}", ignore_errors=True)
                if lane is not None:
                    if lost:
                        lane.stop()
                    for name in ("runner", "runner-alone"):
                        shutil.rmtree(lane.jobs / name, ignore_errors=True)
                free.append(lane)
                del running[slot]
                on_row(row)
                bar.update(1)
    finally:
        for proc, *_ in running.values():
            proc.kill()
        for proc, conn, *_ in running.values():
            proc.join()
            conn.close()
        stack.close()
        bar.close()


def list_students(submitted_dir):
    """Every entry a student could own: folders, links and other non-regular files."""
    names = []
    with os.scandir(submitted_dir) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) or not entry.is_file(follow_symlinks=False):
                names.append(entry.name)  # str, with undecodable bytes as surrogates
    return sorted(names)


def grade_class(root, assignment_name, submitted_dir, out_dir, jobs=None, use_sandbox=True,
                progress=True, resume=False, limits=None, warn=None, records=False, scheduler=None,
                security=None):
    """Grade every student entry of ``submitted_dir``; write grades.csv and feedback
    (and, with ``records``, what the course's gradebook takes: :mod:`.gradebook`).
    With ``scheduler`` (a Dask scheduler's address), the students are graded on that
    cluster's workers (:mod:`.cluster`), each of which checks its own sandbox."""
    root, submitted_dir, out_dir = pathlib.Path(root), pathlib.Path(submitted_dir), pathlib.Path(out_dir)
    limits = limits or GradingLimits()
    warn = warn or (lambda text: print(f"rnncourse: {text}", file=sys.stderr))
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"SUBMITTED_DIR: no such folder: {submitted_dir}")
    if use_sandbox and scheduler is None:
        ok, why = sandbox.available()
        if not ok:
            raise SandboxUnavailable(
                f"cannot sandbox student code: {why}. Install it (apt-get install bubblewrap), "
                f"or pass --unsafe-no-sandbox to grade without containment (student code then "
                f"runs with your rights).")
    assignment = Assignment.read(root, assignment_name)
    secret, _ = course_secret(root)
    changed = check_unchanged(root, secret)
    if changed:
        warn(changed)
    students = list_students(submitted_dir)
    jobs = jobs or os.cpu_count() or 1
    out_dir.mkdir(parents=True, exist_ok=True)
    journal = Journal(out_dir, assignment_name, fingerprint(secret), resume)
    rows = {}
    for name, row in journal.done.items():
        if name in students and feedback_path(out_dir, name, assignment).is_file() and \
                intake.digest(submitted_dir, name, assignment.name, assignment.notebook,
                              limits.notebook_bytes) == row.digest:
            rows[name] = row
    todo = [s for s in students if s not in rows]
    last_write = [0.0]

    def on_row(row):
        # Ctrl-C waits until the row is in both the journal and ``rows``: an interrupt
        # between the two (the journal's fsync is the long part) would journal a student
        # whom the final grades.csv then leaves out.
        with _signals_deferred(signal.SIGINT, signal.SIGTERM):
            journal.add(row)
            rows[row.student_id] = row
        if time.monotonic() - last_write[0] > 1.0:
            write_csv(out_dir / "grades.csv", assignment_name, rows.values())
            last_write[0] = time.monotonic()

    def stop(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, stop)
    tmp = tempfile.mkdtemp(prefix="rnncourse-run-")
    finished = False
    try:
        os.chmod(tmp, 0o755)
        server = _warm_server() if scheduler is None else None
        template = _template(root, assignment, tmp) if scheduler is None else None  # workers make theirs
        if server is not None:
            server.join()
        ctx = Context(str(root), str(template), assignment, str(submitted_dir), str(out_dir), secret,
                      limits, use_sandbox, tmp, records, _private_folder(tmp, "page-cache"))
        if scheduler is None:
            _schedule(ctx, todo, jobs, on_row, progress)
        else:
            from . import cluster

            cluster.schedule(ctx, todo, scheduler, on_row, progress, security)
        finished = True
    except KeyboardInterrupt:
        raise Interrupted(len(rows), len(students)) from None
    finally:
        signal.signal(signal.SIGTERM, old)
        shutil.rmtree(tmp, ignore_errors=True)
        journal.close()
        if finished or rows:  # an interrupted run's grades.csv: exactly the students finished
            write_csv(out_dir / "grades.csv", assignment_name, rows.values())
    return [rows[s] for s in students]


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
