"""Every case of the corpus of bad submissions, graded end to end by `rnncourse grade`.

Needs bubblewrap and root (the sandbox switches to an unprivileged user per student);
skips with the reason where either is missing, and fails instead under
RNNLIB_REQUIRE_ALL=1 (CI), which installs bubblewrap.
"""

import csv
import html
import os
import pathlib
import re
import socket
import subprocess
import sys
import threading

import pytest

from rnnlib.course import sandbox

from grading import corpus

ROOT = corpus.ROOT
pytestmark = pytest.mark.requires_tool


def _sandbox_or_skip():
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"sandboxed grading: {why}")
    if os.geteuid() != 0:
        pytest.skip("sandboxed grading switches to unprivileged users and needs root")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    _sandbox_or_skip()
    tmp = tmp_path_factory.mktemp("corpus")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    expected = corpus.write_class(tmp / "submitted", listener.getsockname()[1])
    before = {p: p.read_bytes() for p in (tmp / "submitted").rglob("*") if p.is_file()}
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", corpus.ASSIGNMENT,
                           str(tmp / "submitted"), "--out", str(out), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)
    runs = [(proc, out)]
    after = {p: p.read_bytes() for p in (tmp / "submitted").rglob("*") if p.is_file()}
    stop.set()
    thread.join()
    listener.close()
    return dict(expected=expected, runs=runs, accepted=accepted, unchanged=before == after)


def _rows(out):
    with open(out / "grades.csv") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def _feedback(out, student):
    page = out / "feedback" / student / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html"
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page.read_text(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_the_batch_finishes(graded):
    for proc, _ in graded["runs"]:
        assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.parametrize("student", sorted(list(corpus.CASES) + list(corpus.RAW_CASES) + ["other"]))
def test_case(graded, student):
    spec = graded["expected"][student]
    out = graded["runs"][0][1]
    row = _rows(out)[student]
    assert (row["status"], float(row["score"])) == (spec["status"], float(spec["score"])), row
    assert row["max_score"] == "10"
    page = out / "feedback" / student / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html"
    assert page.is_file(), "every student gets a feedback page"
    if spec["feedback"]:
        assert spec["feedback"] in _feedback(out, student)
        assert "LEAKED" not in _feedback(out, student)
    if spec["absent"] is not None:
        assert not pathlib.Path(spec["absent"]).exists()


def test_one_row_per_submission(graded):
    (_, out), = graded["runs"]
    assert set(_rows(out)) == set(graded["expected"])


def test_grading_twice_gives_identical_grades(tmp_path):
    _sandbox_or_skip()
    submitted = tmp_path / "submitted"
    for name in ("correct", "named-mistake-in-numpy", "os-exit", "nan-results"):
        folder = submitted / name / corpus.ASSIGNMENT
        folder.mkdir(parents=True)
        import json
        (folder / f"{corpus.ASSIGNMENT}.ipynb").write_text(json.dumps(corpus.CASES[name]["build"]()))
    outputs = []
    for k in range(2):
        out = tmp_path / f"out{k}"
        proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", corpus.ASSIGNMENT,
                               str(submitted), "--out", str(out)], cwd=ROOT, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outputs.append((out / "grades.csv").read_bytes())
    assert outputs[0] == outputs[1]


def test_submissions_are_never_modified(graded):
    assert graded["unchanged"]


def test_no_connection_reached_the_host(graded):
    assert graded["accepted"] == []


def test_refuses_without_sandbox_unless_told(tmp_path):
    env = {**os.environ, "PATH": "/nonexistent"}  # no bwrap on PATH
    (tmp_path / "s").mkdir()
    proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", corpus.ASSIGNMENT,
                           str(tmp_path / "s"), "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "--unsafe-no-sandbox" in proc.stderr and "bubblewrap" in proc.stderr
