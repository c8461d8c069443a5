"""From and to the LMS: nbgrader plugins for Canvas and Moodle downloads and gradebooks.

Submissions in: :class:`LmsCollectorPlugin` is the collector of nbgrader's
``zip_collect``. It reads the student from the names Canvas and Moodle give the files
of an "download all submissions" archive:

- Canvas: ``<sortable name>_[late_]<canvas user id>_<submission id>_<file name>``,
  where Canvas adds ``-1``, ``-2``... to the file name of a resubmission;
- Moodle: ``<full name>_<participant id>_assignsubmission_file_<file name>``, or the
  file in a folder ``<full name>_<participant id>_assignsubmission_file_/``.

The student is the gradebook student whose ``lms_user_id`` is that LMS id; without
one, the id derived from the name: the name's letters and digits, lower case, joined
by ``-``, then ``-<lms id>`` (``smithjane-12345``, ``jane-smith-12345``). The file is
renamed to the assignment's notebook. Of several notebooks of one student, the one
named like the assignment's notebook wins, then the latest resubmission; the others
are skipped with a message.

Grades out: :class:`CanvasExportPlugin` writes the CSV Canvas's gradebook import takes;
:class:`MoodleExportPlugin` one that Moodle's "Import grades: CSV file" maps easily.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata

from nbgrader.api import Gradebook, MissingEntry, Student
from nbgrader.plugins.export import ExportPlugin
from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from traitlets import Dict

CANVAS = (r"^(?P<name>[^_]+)_(?:(?P<late>late)_)?(?P<lms_id>\d+)_(?P<submission_id>\d+)_"
          r"(?P<file>.+)$")
MOODLE = r"^(?P<name>[^_]+)_(?P<lms_id>\d+)_assignsubmission_file_(?P<file>.+)$"
EXPECTED = ("expected a Canvas name '<name>_[late_]<user id>_<submission id>_<file>.ipynb' "
            "or a Moodle name '<full name>_<participant id>_assignsubmission_file_<file>.ipynb'")
RESUBMISSION = re.compile(r"^(?P<stem>.*?)(?:-(?P<n>\d+))?\.ipynb$")


def configure(c, work):
    """Set nbgrader's zip_collect to read ``<work>/downloaded/<assignment>/archive/``
    with this module's collector (``submitted_directory`` is the course's already).
    nbgrader joins ``downloaded_directory`` to the course root as text, so it is relative."""
    c.ZipCollectApp.downloaded_directory = os.path.relpath(work / "downloaded", c.CourseDirectory.root)
    c.ZipCollectApp.archive_directory = "archive"
    c.ZipCollectApp.extracted_directory = "extracted"
    c.ZipCollectApp.collector_plugin = f"{__name__}.LmsCollectorPlugin"
    return c


def slug(name):
    """A student id from an LMS name: ASCII letters and digits, lower case, ``-`` between."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


def parse(filename):
    """What an LMS file name says: ``lms``, ``name``, ``lms_id``, ``late``, ``file``; or None."""
    base = os.path.basename(filename)
    folder = os.path.basename(os.path.dirname(filename))
    if folder.endswith("_assignsubmission_file_"):  # newer Moodle: one folder per student
        base = folder + base
    for lms, pattern in (("moodle", MOODLE), ("canvas", CANVAS)):
        match = re.match(pattern, base)
        if match:
            info = match.groupdict()
            info["lms"] = lms
            info["late"] = bool(info.get("late"))
            return info
    return None


class LmsCollectorPlugin(FileNameCollectorPlugin):
    """nbgrader's file-name collector for Canvas and Moodle "download all" archives."""

    def _notebook(self):
        """The assignment's one notebook name, from the course's source folder."""
        coursedir = self.parent.coursedir
        folder = coursedir.format_path(coursedir.source_directory, ".", coursedir.assignment_id)
        names = sorted(n for n in os.listdir(folder) if n.endswith(".ipynb")) if os.path.isdir(folder) else []
        if len(names) != 1:
            raise ValueError(f"assignment {coursedir.assignment_id!r}: expected exactly one notebook in "
                             f"{folder}, found {names or 'none'}")
        return names[0]

    def _known_students(self):
        """Gradebook students by ``lms_user_id`` (empty when there is no gradebook yet)."""
        from .nbapi import venv_on_path

        with venv_on_path(), Gradebook(self.parent.coursedir.db_url, self.parent.coursedir.course_id) as gb:
            return {s.lms_user_id: s.id for s in gb.db.query(Student) if s.lms_user_id}

    def _student(self, info):
        if not hasattr(self, "_by_lms_id"):
            self._by_lms_id = self._known_students()
        return self._by_lms_id.get(info["lms_id"]) or f"{slug(info['name'])}-{info['lms_id']}"

    def _rank(self, info):
        """Which of a student's files wins: the assignment's name first, then the latest."""
        match = RESUBMISSION.match(info["file"])
        return (match["stem"] == os.path.splitext(self._notebook())[0], int(match["n"] or 0))

    def _best_files(self, extracted):
        """Per student id, the file of theirs to collect (computed once for the whole folder)."""
        if not hasattr(self, "_best"):
            self._best = {}
            for root, _, files in os.walk(extracted):
                for name in files:
                    path = os.path.join(root, name)
                    info = parse(path)
                    if info and name.endswith(".ipynb"):
                        student = self._student(info)
                        old = self._best.get(student)
                        if old is None or self._rank(info) > self._rank(parse(old)):
                            self._best[student] = path
        return self._best

    def collect(self, submitted_file):
        """``student_id`` and ``file_id`` for ``submitted_file``, or None to skip it (with
        a message saying why). Names give no time: nbgrader's default timestamp applies."""
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            self.log.info("Skipped %s: not a notebook (%s)", submitted_file, ", ".join(self.valid_ext))
            return None
        info = parse(submitted_file)
        if info is None:
            self.log.warning("Skipped %s: no student id in its name; %s. The file stays in the "
                             "archive: rename it and collect again with --force.", submitted_file, EXPECTED)
            return None
        student = self._student(info)
        extracted = self.parent._format_collect_path(self.parent.extracted_directory)
        best = self._best_files(extracted).get(student)
        if best != submitted_file:
            self.log.warning("Skipped %s: %s also submitted %s, which is collected instead",
                             submitted_file, student, best)
            return None
        if info["late"]:
            self.log.warning("%s: Canvas marks the submission of %s late", submitted_file, student)
        return {"student_id": student, "file_id": self._notebook()}


class CanvasExportPlugin(ExportPlugin):
    """Grades in the CSV Canvas's gradebook import takes (``nbgrader export
    --exporter=rnnlib.course.lms.CanvasExportPlugin --to canvas.csv``).

    Columns ``Student, ID, SIS User ID, SIS Login ID, Section``, then one per assignment,
    named ``<assignment> (<canvas id>)`` when ``canvas_assignment_ids`` has the
    assignment (Canvas then fills that assignment), else just ``<assignment>`` (Canvas
    creates a new assignment on import). The second row is ``Points Possible``. ``ID``
    is the student's ``lms_user_id`` (Canvas's user id), ``SIS Login ID`` their
    nbgrader id. A score is nbgrader's (auto + manual points less the late penalty);
    a student with no submission gets an empty cell: Canvas leaves that grade as it is
    (ungraded or what it was), where a 0 would overwrite it.
    """

    canvas_assignment_ids = Dict(
        {}, help="Canvas assignment id of each nbgrader assignment, e.g. {'02-unrolling': '12345'}"
    ).tag(config=True)

    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

    def _assignments(self, gradebook):
        wanted = [str(a) for a in self.assignment]
        unknown = sorted(set(wanted) - {a.name for a in gradebook.assignments})
        if unknown:
            raise ValueError(f"--assignment: not in the gradebook: {', '.join(unknown)}")
        return [a for a in gradebook.assignments if not wanted or a.name in wanted]

    def _students(self, gradebook):
        wanted = [str(s) for s in self.student]
        return [s for s in gradebook.students if not wanted or s.id in wanted]

    def column(self, assignment):
        canvas_id = self.canvas_assignment_ids.get(assignment.name)
        return f"{assignment.name} ({canvas_id})" if canvas_id else assignment.name

    @staticmethod
    def score(gradebook, assignment, student):
        """nbgrader's score of the submission (never below 0), or None if there is none."""
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
            return None
        return max(0.0, submission.score - submission.late_submission_penalty)

    def rows(self, gradebook):
        """The CSV's rows, header first."""
        assignments = self._assignments(gradebook)
        for name in sorted(set(self.canvas_assignment_ids) - {a.name for a in gradebook.assignments}):
            self.log.warning("canvas_assignment_ids: %r is not an assignment in the gradebook", name)
        yield self.header + [self.column(a) for a in assignments]
        yield ["Points Possible", "", "", "", ""] + [_number(a.max_score) for a in assignments]
        for s in self._students(gradebook):
            name = ", ".join(p for p in (s.last_name, s.first_name) if p) or s.id
            scores = [self.score(gradebook, a, s) for a in assignments]
            yield [name, s.lms_user_id or "", "", s.id, ""] + [_number(x) for x in scores]

    def export(self, gradebook):
        dest = self.to or "canvas-grades.csv"
        self.log.info("Exporting grades for Canvas to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(_safe(row) for row in self.rows(gradebook))


class MoodleExportPlugin(CanvasExportPlugin):
    """Grades for Moodle's "Import grades: CSV file": one row per student, the
    nbgrader id, e-mail and LMS id to map on, one column of points per assignment
    (``--to moodle-grades.csv``)."""

    def rows(self, gradebook):
        assignments = self._assignments(gradebook)
        yield ["Username", "Email address", "ID number"] + [a.name for a in assignments]
        for s in self._students(gradebook):
            yield [s.id, s.email or "", s.lms_user_id or ""] + [
                _number(self.score(gradebook, a, s)) for a in assignments]

    def export(self, gradebook):
        self.to = self.to or "moodle-grades.csv"
        super().export(gradebook)


def _number(x):
    """A score as Canvas reads it: empty for none, no trailing ``.0``."""
    if x is None:
        return ""
    text = repr(round(float(x), 4))
    return text[:-2] if text.endswith(".0") else text


def _safe(row):
    """Cells that a spreadsheet would run as a formula get a leading ``'``."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row]
