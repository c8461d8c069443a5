"""From and to the LMS: nbgrader's zip_collect of Canvas and Moodle downloads, and the
Canvas / Moodle grade exports, each run through nbgrader's own command line with the
course's configuration in a temporary copy of the course."""

import csv
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import students

from rnnlib.course import lms
from rnnlib.course.nbapi import venv_on_path

ROOT = students.ROOT
A = "02-unrolling"
BIN = pathlib.Path(sys.executable).parent


@pytest.fixture
def course(tmp_path):
    """A copy of the course with one assignment (its source and its release)."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder / A, root / folder / A)
    return root


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=120)


def gradebook(course):
    from nbgrader.api import Gradebook

    (course / "course-work").mkdir(exist_ok=True)
    return Gradebook(f"sqlite:///{course / 'course-work' / 'gradebook.db'}", "rnn-textbook")


def notebook_marked(mark):
    """The student version of the assignment, with ``mark`` to tell the copies apart."""
    nb = nbformat.read(ROOT / "exercises" / A / f"{A}.ipynb", as_version=4)
    nb.metadata["lms_test"] = mark
    return nbformat.writes(nb)


def download(course, zip_name, names):
    """An LMS's "download all submissions" zip in nbgrader's archive folder."""
    archive = course / "course-work" / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / zip_name, "w") as z:
        for name in names:
            z.writestr(name, notebook_marked(name))
    return archive / zip_name


def submitted(course):
    """{student: {file: mark}} of what zip_collect put in the submitted folder."""
    out = {}
    for student in sorted((course / "course-work" / "submitted").iterdir()):
        files = {}
        for f in (student / A).iterdir():
            files[f.name] = nbformat.read(f, as_version=4).metadata.get("lms_test")
        out[student.name] = files
    return out


def test_file_names_of_both_lms():
    assert lms.parse("x/smithjane_late_12345_678_02-unrolling-2.ipynb") == {
        "lms": "canvas", "name": "smithjane", "late": True, "lms_id": "12345",
        "submission_id": "678", "file": "02-unrolling-2.ipynb"}
    assert lms.parse("Jane Smith_42_assignsubmission_file_my_work.ipynb") == {
        "lms": "moodle", "name": "Jane Smith", "late": False, "lms_id": "42", "file": "my_work.ipynb"}
    assert lms.parse("02-unrolling.ipynb") is None
    assert lms.slug("Ana Müller-Díaz") == "ana-muller-diaz"


def test_canvas_download(course):
    with venv_on_path(), gradebook(course) as gb:
        gb.add_student("jsmith", first_name="Jane", last_name="Smith", lms_user_id="12345")
    names = ["smithjane_12345_67890_02-unrolling.ipynb",            # known by lms_user_id
             "doejohn_late_22222_3333_02-unrolling.ipynb",           # late, then resubmitted
             "doejohn_late_22222_3334_02-unrolling-1.ipynb",
             "leeann_33333_4444_my answers.ipynb",                   # another name: renamed
             "02-unrolling.ipynb"]                                   # no student id
    archive = download(course, "submissions.zip", names)
    before = archive.read_bytes()
    proc = nbgrader(course, "zip_collect", A)
    assert proc.returncode == 0, proc.stderr
    assert submitted(course) == {
        "jsmith": {f"{A}.ipynb": names[0]},
        "doejohn-22222": {f"{A}.ipynb": names[2]},
        "leeann-33333": {f"{A}.ipynb": names[3]},
    }
    log = proc.stderr
    assert "02-unrolling.ipynb: no student id in its name; expected a Canvas name" in log
    assert "Canvas marks the submission of doejohn-22222 late" in log
    assert f"{names[2]}, which is collected instead" in log
    # nothing lost: the archive is as downloaded, every file is in the extracted folder
    assert archive.read_bytes() == before
    extracted = course / "course-work" / "downloaded" / A / "extracted" / "submissions"
    assert sorted(p.name for p in extracted.iterdir()) == sorted(names)


def test_moodle_download(course):
    names = ["Jane Smith_12345_assignsubmission_file_02-unrolling.ipynb",
             "Ana Müller_777_assignsubmission_file_work.ipynb",
             "Ana Müller_777_assignsubmission_file_02-unrolling.ipynb",  # the assignment's name wins
             "Bob_888_assignsubmission_file_notes.txt",                  # not a notebook
             "Li Wei_999_assignsubmission_file_/02-unrolling.ipynb"]     # a folder per student
    download(course, "moodle.zip", names)
    proc = nbgrader(course, "zip_collect", A)
    assert proc.returncode == 0, proc.stderr
    assert submitted(course) == {
        "ana-muller-777": {f"{A}.ipynb": names[2]},
        "jane-smith-12345": {f"{A}.ipynb": names[0]},
        "li-wei-999": {f"{A}.ipynb": names[4]},
    }


def fill_gradebook(course):
    """Two assignments, three students: full marks with a late penalty, a partial one
    with manual points, and a student who submitted nothing."""
    with venv_on_path(), gradebook(course) as gb:
        for a, points in ((A, (3.0, 2.0)), ("03-bptt", (4.0,))):
            gb.add_assignment(a)
            gb.add_notebook(a, a)
            for i, p in enumerate(points):
                gb.add_grade_cell(f"cell{i}", a, a, max_score=p, cell_type="code")
        gb.add_student("jsmith", first_name="Jane", last_name="Smith", lms_user_id="12345")
        gb.add_student("bob", first_name="Bob", last_name="Lee", email="bob@example.org")
        gb.add_student("=cmd", first_name="Eve")
        for student in ("jsmith", "bob"):
            gb.add_submission(A, student)
        gb.add_submission("03-bptt", "jsmith")

        def score(a, cell, student, auto, manual=None):
            grade = gb.find_grade(cell, a, a, student)
            grade.auto_score, grade.manual_score = auto, manual
        score(A, "cell0", "jsmith", 3.0)
        score(A, "cell1", "jsmith", 2.0)
        gb.find_submission_notebook(A, A, "jsmith").late_submission_penalty = 1.5
        score(A, "cell0", "bob", 1.0)
        score(A, "cell1", "bob", 0.0, 1.5)   # graded by hand: the manual score counts
        score("03-bptt", "cell0", "jsmith", 4.0)
        gb.db.commit()


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_export(course):
    fill_gradebook(course)
    out = course / "canvas.csv"
    proc = nbgrader(course, "export", "--exporter=rnnlib.course.lms.CanvasExportPlugin",
                    f"--to={out}", f"--CanvasExportPlugin.canvas_assignment_ids={A}=98765")
    assert proc.returncode == 0, proc.stderr
    assert read_csv(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (98765)", "03-bptt"],
        ["Points Possible", "", "", "", "", "5", "4"],
        ["Eve", "", "", "'=cmd", "", "", ""],      # gradebook order; a formula is defused
        ["Lee, Bob", "", "", "bob", "", "2.5", ""],
        ["Smith, Jane", "12345", "", "jsmith", "", "3.5", "4"],
    ]


def test_moodle_export_and_a_wrong_assignment(course):
    fill_gradebook(course)
    out = course / "moodle.csv"
    proc = nbgrader(course, "export", "--exporter=rnnlib.course.lms.MoodleExportPlugin", f"--to={out}")
    assert proc.returncode == 0, proc.stderr
    assert read_csv(out) == [
        ["Username", "Email address", "ID number", A, "03-bptt"],
        ["'=cmd", "", "", "", ""],
        ["bob", "bob@example.org", "", "2.5", ""],
        ["jsmith", "", "12345", "3.5", "4"],
    ]
    proc = nbgrader(course, "export", "--exporter=rnnlib.course.lms.CanvasExportPlugin",
                    f"--to={out}", "--assignment=['99-nope']")
    assert proc.returncode != 0
    assert "--assignment: not in the gradebook: 99-nope" in proc.stderr + proc.stdout
