"""``rnncourse grade`` into the course's gradebook: the one the formgrader shows.

Grading a class leaves, for each student it scored, a *record* in
``OUT/records/<student>/``: the submission as the intake read it (``ASSIGNMENT/`` with
the notebook and the parsed ``timestamp.txt``, nothing else), the notebook as the
jailed run executed it (``executed.ipynb``, already through nbgrader's autograde chain in
a private course) and ``grader.json`` (the authoritative points of each test cell, the
sentence for each graded function, the grader's notes). nbgrader's ``autograde`` reads
its submissions from ``OUT/records`` instead of the course's ``submitted/`` folder, so
it never opens what a submission brought beside its notebook (links, FIFOs, large
files): only what the intake checked and the grader wrote. This module puts the records into
the course's own gradebook with nbgrader's ``autograde``, so that nbgrader does what
it always does there: it creates the student and the submission (with the
``timestamp.txt`` that ``nbgrader collect`` wrote, so the due date and the late-penalty
plugin apply), overwrites the cells the student must not change, writes
``autograded/<student>/<assignment>/`` for the formgrader and saves the grades. Only
its execution step is replaced (:class:`UseGraded`: the notebook was run once
already, in a jail) and one step is added (:class:`AuthoritativeScores`: the points of
the out-of-process run, and the sentences as the cells' comments, which
``nbgrader generate_feedback`` then shows).

Written answers stay ungraded for the formgrader; a regrade keeps their manual
scores. Each student is one ``autograde`` call whose rows nbgrader commits. Two imports
into one course take turns (an exclusive lock on ``.rnncourse-import.lock`` in the course
folder): nbgrader's autograde deletes and rewrites ``autograded/<student>/`` and would
race with itself. A call that still fails on a conflicting writer of the database (the
formgrader saving a score, a locked SQLite file) is tried again, so no row is lost or
doubled.

The import runs as the owner of the course folder (``rnncourse grade`` runs as root
for its sandbox): ``python -m rnnlib.course.gradebook ASSIGNMENT OUT STUDENT...`` in
the course folder, reading nbgrader's configuration as ``nbgrader`` itself does there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pathlib
import re
import sys
import time

RECORDS = "records"
GRADER_FILE = "grader.json"
EXECUTED_FILE = "executed.ipynb"
ATTEMPTS = 4
LOCK_FILE = ".rnncourse-import.lock"  # in the course folder: one import at a time
# what another writer of the same rows makes nbgrader raise; anything else is not retried
CONFLICT = re.compile(r"IntegrityError|OperationalError|UniqueViolation|SerializationFailure|"
                      r"database is locked|could not serialize|deadlock detected", re.IGNORECASE)


def record_folder(out, student):
    return pathlib.Path(out) / RECORDS / student


# ------------------------------------------------------- nbgrader preprocessors --

def _preprocessors():
    """The two steps, defined where nbgrader is importable (the grader's worker has it)."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import NbGraderPreprocessor
    from traitlets import Unicode

    from .clean import comment_text

    class UseGraded(NbGraderPreprocessor):
        """In place of ``Execute``: the notebook as the grader's jailed run executed it,
        with the grader's notes in a cell at the top. Without an executed copy (the
        notebook did not run to the end), the submitted notebook goes on as it is."""

        records = Unicode("", help="OUT of the rnncourse grade run").tag(config=True)

        def preprocess(self, nb, resources):
            info = resources["nbgrader"]
            folder = record_folder(self.records, info["student"])
            executed = folder / EXECUTED_FILE
            if executed.is_file() and not executed.is_symlink():
                nb = nbformat.read(executed, as_version=4)
            record = json.loads((folder / GRADER_FILE).read_text(encoding="utf-8"))
            if record.get("notes"):
                text = "\n\n".join(comment_text(n) for n in record["notes"])
                nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                    f"**From the grader** (status: {comment_text(record['status'])})\n\n{text}"))
            return nb, resources

    class AuthoritativeScores(NbGraderPreprocessor):
        """After ``SaveAutoGrades``: each test cell's points are those of the grader's
        out-of-process run, and each graded function's cell carries its sentence."""

        records = Unicode("", help="OUT of the rnncourse grade run").tag(config=True)

        def preprocess(self, nb, resources):
            info = resources["nbgrader"]
            record = json.loads((record_folder(self.records, info["student"]) / GRADER_FILE)
                                .read_text(encoding="utf-8"))
            with Gradebook(info["db_url"]) as gb:
                for grade_id, points in record["points"].items():
                    with contextlib.suppress(Exception):  # a test cell the student deleted
                        grade = gb.find_grade(grade_id, info["notebook"], info["assignment"], info["student"])
                        grade.auto_score = float(points)
                        grade.needs_manual_grade = grade.manual_score is not None
                for cell_id, sentence in record["comments"].items():
                    with contextlib.suppress(Exception):
                        comment = gb.find_comment(cell_id, info["notebook"], info["assignment"], info["student"])
                        comment.manual_comment = comment_text(sentence)
                gb.db.commit()
            return nb, resources

    return UseGraded, AuthoritativeScores


def import_chain():
    """nbgrader's autograde steps, with the execution replaced and the scores set."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)

    from .clean import SanitizeHTML

    use_graded, authoritative = _preprocessors()
    return [use_graded, SanitizeHTML, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            authoritative, AssignLatePenalties, CheckCellMetadata]


# --------------------------------------------------------------- the import -----

def _api(out):
    """nbgrader's API with the course's configuration, loaded as ``nbgrader`` loads it
    in this folder (JUPYTER_CONFIG_PATH, then ./nbgrader_config.py)."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    app.log = logging.getLogger("rnncourse.gradebook")
    app.initialize([])
    config = app.config
    config.Autograde.autograde_preprocessors = import_chain()
    config.CourseDirectory.submitted_directory = str(pathlib.Path(out).resolve() / RECORDS)
    config.UseGraded.records = str(pathlib.Path(out).resolve())
    config.AuthoritativeScores.records = config.UseGraded.records
    return NbGraderAPI(config=config, log=app.log)


def import_records(assignment, out, students, log=print):
    """Autograde each student's record into the course's gradebook. Returns
    ``{student: {"error": why}}`` for those that could not be put in, and
    ``{student: {"duedate": ..., "penalty": ...}}`` (nbgrader's late penalty) for the others."""
    from nbgrader.api import Gradebook, MissingEntry

    api = _api(out)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise RuntimeError(f"assignment {assignment} is not in the course's gradebook "
                               f"({api.coursedir.db_url}): generate it first (nbgrader generate_assignment "
                               f"{assignment}, or Generate in the formgrader)") from None
    results = {}
    with _course_lock():
        for student in students:
            _import_one(api, assignment, out, student, results)
    return results


def _import_one(api, assignment, out, student, results):
    """One student's ``autograde`` into the gradebook; its outcome goes into ``results``."""
    from nbgrader.api import Gradebook

    if not (record_folder(out, student) / GRADER_FILE).is_file():
        results[student] = {"error": "no grading record (see its row in grades.csv)"}
        return
    for attempt in range(ATTEMPTS):
        done = api.autograde(assignment, student, force=True, create=True)
        if done.get("success"):
            break
        results[student] = {"error": _reason(done)}
        if not CONFLICT.search(done.get("log") or done.get("error") or ""):
            return  # a fault of this record, not a race: trying again changes nothing
        time.sleep(0.2 * (attempt + 1))  # another writer held the rows: try again
    else:
        return
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        submission = gb.find_submission(assignment, student)
        results[student] = {"penalty": float(submission.late_submission_penalty or 0.0),
                            "duedate": str(submission.duedate or "")}


@contextlib.contextmanager
def _course_lock():
    """Hold the course's import lock (run in the course folder, as its owner)."""
    import fcntl

    fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _reason(result):
    """The exception nbgrader logged, in one line (its own last lines only say 'see above')."""
    lines = [line.strip() for line in (result.get("log") or result.get("error") or "").splitlines()]
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Entry): ", line)
              and "Please see the" not in line]
    return (raised or [line for line in lines if line] or ["no details"])[-1][:300]


def owner_of(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid


def import_as_owner(course, assignment, out, students, env=None):
    """Run the import in the course folder as its owner (from root), or here as we are.
    Returns the same dict as :func:`import_records`."""
    course = pathlib.Path(course)
    uid, gid = owner_of(course)
    if os.geteuid() != 0 or uid == 0:
        with _cwd(course):
            return import_records(assignment, out, students)
    import pwd
    import subprocess

    user = pwd.getpwuid(uid)
    env = dict(env if env is not None else os.environ)
    for name in list(env):
        if name.startswith("RNNCOURSE_SECRET"):
            del env[name]
    env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
    done = subprocess.run([sys.executable, "-m", __name__, assignment, str(pathlib.Path(out).resolve()),
                           *students], cwd=course, env=env, user=uid, group=gid, extra_groups=[],
                          capture_output=True, text=True, errors="surrogateescape")
    if done.returncode != 0:
        raise RuntimeError(f"importing the grades into the gradebook as {user.pw_name} failed: "
                           f"{done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.splitlines()[-1])


@contextlib.contextmanager
def _cwd(folder):
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def give_to(out, uid, gid):
    """Hand OUT's files to the course's owner, never following a link (fd-based walk)."""
    for _, dirs, files, fd in os.fwalk(out, follow_symlinks=False):
        for name in dirs + files:
            os.chown(name, uid, gid, dir_fd=fd, follow_symlinks=False)
    os.chown(out, uid, gid, follow_symlinks=False)


def main(argv=None):
    import warnings

    argv = sys.argv[1:] if argv is None else argv
    warnings.filterwarnings("ignore")
    assignment, out, *students = [os.fsdecode(os.fsencode(a)) for a in argv]
    logging.basicConfig(level=logging.ERROR)
    results = import_records(assignment, out, students)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
