"""Every case of the corpus of bad submissions, graded end to end by `rnncourse grade`.

The whole corpus is one batch, graded with small limits (16 MB of disk per jail, 60 s
for a notebook's feedback run). Root-owned canary files, one of them the run's secret,
are named in the attacks; afterwards their content, owner and mode must be unchanged,
the batch must have finished with one row per entry, and the honest students in the
same batch must have full marks.

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


def make_canaries(folder):
    """Root-owned files an attack would change: the run's secret (0600) and a startup file."""
    folder.mkdir(mode=0o755)
    (folder / "secret").write_text("canary-secret-" + "7" * 32 + "\n")
    os.chmod(folder / "secret", 0o600)
    (folder / "rc").write_text("# a shell startup file\n")
    os.chmod(folder / "rc", 0o644)
    return {p.name: _state(p) for p in folder.iterdir()}


def _state(path):
    info = os.lstat(path)
    return (path.read_bytes(), info.st_uid, info.st_gid, info.st_mode)


def canaries_now(folder):
    return {p.name: _state(p) for p in folder.iterdir()}


SMALL = ["--disk-mb", "16", "--kernel-seconds", "60"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    _sandbox_or_skip()
    tmp = tmp_path_factory.mktemp("corpus")
    canary = tmp / "canary"
    canaries = make_canaries(canary)
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
    expected = corpus.write_class(tmp / "submitted", listener.getsockname()[1], canary)
    before = _tree(tmp / "submitted")
    out = tmp / "out"
    env = {**os.environ, "RNNCOURSE_SECRET_FILE": str(canary / "secret"), "TMPDIR": str(tmp)}
    env.pop("RNNCOURSE_SECRET", None)
    proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", corpus.ASSIGNMENT,
                           str(tmp / "submitted"), "--out", str(out), "--jobs", "2", *SMALL],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500, env=env)
    runs = [(proc, out)]
    after = _tree(tmp / "submitted")
    stop.set()
    thread.join()
    listener.close()
    return dict(expected=expected, runs=runs, accepted=accepted, unchanged=before == after,
                canaries=(canaries, canaries_now(canary)), tmp=tmp)


def _tree(folder):
    """Every path below ``folder`` (links not followed) with its kind and content."""
    state = {}
    for path in folder.rglob("*"):
        info = os.lstat(path)
        data = path.read_bytes() if path.is_file() and not path.is_symlink() and info.st_size < 2**20 else None
        state[path] = (info.st_mode, info.st_size, data, os.readlink(path) if path.is_symlink() else None)
    return state


def _rows(out):
    with open(out / "grades.csv", encoding="utf-8", errors="surrogateescape", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    return {k[1:] if k.startswith("'") else k: r for k, r in rows.items()}


def _feedback(out, student):
    page = out / "feedback" / student / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html"
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page.read_text(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_the_batch_finishes(graded):
    for proc, _ in graded["runs"]:
        assert proc.returncode == 0, proc.stderr[-3000:]


STUDENTS = sorted(list(corpus.CASES) + list(corpus.RAW_CASES) + ["other"] + corpus.RAW_NAMES)


@pytest.mark.parametrize("student", STUDENTS, ids=[ascii(s) for s in STUDENTS])
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


def test_canaries_untouched(graded):
    before, after = graded["canaries"]
    assert after == before, "a root-owned file changed (content, owner or mode) or appeared"


def test_no_trap_reaches_another_student(graded):
    """The traps one student leaves in its lane (tests/grading: leaves-traps-...) show on
    no other student's page: each of them found a clean jail."""
    out = graded["runs"][0][1]
    for page in (out / "feedback").rglob("*.html"):
        if "leaves-traps" not in str(page):
            assert "TRAP-SPRUNG" not in page.read_text(encoding="utf-8", errors="replace"), page


def test_no_active_content_in_any_feedback_page(graded):
    out = graded["runs"][0][1]
    for page in (out / "feedback").rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"<script[^>]*>[^<]*alert", text), page
        assert not re.search(r"<img[^>]*onerror", text), page
        assert not re.search(r"<svg[^>]*onload", text), page


def test_grades_csv_is_whole_and_neutralised(graded):
    out = graded["runs"][0][1]
    raw = (out / "grades.csv").read_bytes()
    assert "canary-secret".encode() not in raw
    assert b",caf\xe9-student," in raw, "a non-UTF-8 name is stored exactly"
    rows = _rows(out)
    assert rows["=HYPERLINK(1)"]["student_id"] == "'=HYPERLINK(1)"
    assert rows["=HYPERLINK(1)"]["timestamp"] == ""
    assert rows["dated"]["timestamp"] == "2026-11-30 23:59:58.123456 UTC"
    assert not list(out.glob(".grades.csv.*")), "no half-written copy is left"


def test_honest_students_are_not_accused(graded):
    out = graded["runs"][0][1]
    for student in ("correct", "other", "uses-display-pinfo-and-shell", "scratch-cell-redefines-later",
                    "saved-as-nbformat-3", "docstring-mentions-rnnlib"):
        text = _feedback(out, student)
        assert "a check was tampered with" not in text and "calls rnnlib: graded" not in text, student


def test_no_temp_folders_or_jail_processes_left(graded):
    assert not list(graded["tmp"].glob("rnncourse-*")), "a run leaves no temporary folders"
    jailed = subprocess.run(["pgrep", "-u", ",".join(str(61000 + k) for k in range(64))],
                            capture_output=True, text=True)
    assert jailed.stdout.strip() == "", "no process of a jail's user outlives grading"


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
