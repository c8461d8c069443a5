"""What a grading run promises beyond one submission's score.

- Two runs at once never give two students the same uid.
- An interrupted run leaves no process or temporary folder, a grades.csv of the
  students finished, and ``--resume`` ends with the grades.csv an uninterrupted run
  writes, without grading the finished students again.
- A worker that dies or overruns costs its own student a row (``crashed`` or
  ``timeout``) and a page, and nobody else anything.
- The course secret lives outside the course tree, is refused when unsafe, and a change
  to it between two runs is reported.
- The bytes that cross the jail's edge are decoded as plain values and nothing else.
"""

import csv
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from rnnlib.course import grading, runner, sandbox

from grading import corpus

ROOT = corpus.ROOT
RNNCOURSE = [sys.executable, "-m", "rnnlib.course.cli"]


def _sandbox_or_skip():
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"sandboxed grading: {why}")


def _env(tmp_path, **extra):
    secret = tmp_path / "secret"
    if not secret.exists():
        secret.write_text("a-test-secret-" + "5" * 32)
        os.chmod(secret, 0o600)
    env = {**os.environ, "RNNCOURSE_SECRET_FILE": str(secret), "TMPDIR": str(tmp_path), **extra}
    env.pop("RNNCOURSE_SECRET", None)
    return env


def _class(folder, notebooks):
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        target = folder / name / corpus.ASSIGNMENT
        target.mkdir(parents=True)
        (target / f"{corpus.ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
    return folder


def interactive_ctrl_c():
    """In the child before exec: Ctrl-C as in a terminal's foreground. A shell that starts a
    job in the background (CI under `nohup ... &`) hands it SIGINT ignored, and Python then
    never turns SIGINT into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_rows(journal, rows, timeout):
    """Until the grading journal holds ``rows`` rows (after its header line), or ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and len(journal.read_text().splitlines()) >= rows + 1:
            return
        time.sleep(0.2)


def _jail_processes():
    found = subprocess.run(["pgrep", "-u", ",".join(str(sandbox.UID_BASE + k) for k in range(64))],
                           capture_output=True, text=True)
    return found.stdout.split()


# ---------------------------------------------------------------- runs ------------

@pytest.mark.requires_tool
def test_two_runs_at_once_use_different_uids(tmp_path):
    _sandbox_or_skip()
    shows_uid = corpus.insert(corpus.solution(), "import os, time\nprint('JAIL-UID', os.getuid())\ntime.sleep(4)\n")
    procs = []
    for k in range(2):
        submitted = _class(tmp_path / f"class{k}", {f"student{k}": shows_uid})
        procs.append(subprocess.Popen(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out",
                                                   str(tmp_path / f"out{k}")],
                                      cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    uids = []
    for k, proc in enumerate(procs):
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        page = (tmp_path / f"out{k}" / "feedback" / f"student{k}" / corpus.ASSIGNMENT /
                f"{corpus.ASSIGNMENT}.html").read_text()
        uids += re.findall(r"JAIL-UID (\d+)", page)
    assert len(uids) == 2 and uids[0] != uids[1], uids


@pytest.mark.requires_tool
def test_interrupted_run_leaves_nothing_and_resume_finishes_it_identically(tmp_path):
    _sandbox_or_skip()
    students = {f"s{k}": (corpus.solution() if k % 2 else corpus.wrong()) for k in range(6)}
    submitted = _class(tmp_path / "submitted", students)
    env = _env(tmp_path)
    full = subprocess.run(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(tmp_path / "full"),
                                       "--jobs", "1"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert full.returncode == 0, full.stderr[-2000:]

    out = tmp_path / "out"
    proc = subprocess.Popen(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(out),
                                         "--jobs", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=interactive_ctrl_c)
    journal = out / grading.JOURNAL
    wait_for_rows(journal, 2, timeout=300)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "--resume" in err
    time.sleep(1)
    assert _jail_processes() == [], "no jailed process outlives an interrupted run"
    assert not list(tmp_path.glob("rnncourse-*")), "no temporary folder outlives an interrupted run"
    with open(out / "grades.csv", newline="") as f:
        done = {r["student_id"] for r in csv.DictReader(f)}
    journaled = {json.loads(line)["student_id"] for line in journal.read_text().splitlines()[1:]}
    assert done == journaled and 2 <= len(done) < 6, (done, journaled)
    pages = {s: (out / "feedback" / s / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html").stat().st_mtime_ns
             for s in done}

    again = subprocess.run(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(out),
                                        "--jobs", "1", "--resume"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (out / "grades.csv").read_bytes() == (tmp_path / "full" / "grades.csv").read_bytes()
    for s, mtime in pages.items():  # finished students were not graded again
        assert (out / "feedback" / s / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html").stat().st_mtime_ns == mtime


def test_ctrl_c_right_after_a_journal_line_still_puts_that_student_in_grades_csv(tmp_path, monkeypatch):
    """The interrupt arrives just as a row's journal line is on disk: the student is in
    grades.csv too, so the journal and grades.csv agree (once, CI's Ctrl-C landed during
    the journal's fsync and grades.csv lost the student the journal had)."""
    submitted = _class(tmp_path / "submitted", {"s0": corpus.solution(), "s1": corpus.wrong()})
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    add = grading.Journal.add

    def add_then_ctrl_c(self, row):
        add(self, row)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)  # the rest of the window: the signal has reached some thread by now

    monkeypatch.setattr(grading.Journal, "add", add_then_ctrl_c)
    out = tmp_path / "out"
    # another thread, as tqdm's monitor is: the kernel gives a signal to a thread that
    # does not block it, and Python still runs the handler in the main thread at once
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)
    other.start()
    try:
        with pytest.raises(grading.Interrupted):
            grading.grade_class(ROOT, corpus.ASSIGNMENT, submitted, out, jobs=1, use_sandbox=False,
                                progress=False)
    finally:
        done.set()
    with open(out / "grades.csv", newline="") as f:
        done = {r["student_id"] for r in csv.DictReader(f)}
    journaled = {json.loads(line)["student_id"] for line in (out / grading.JOURNAL).read_text().splitlines()[1:]}
    assert done == journaled == {"s0"}


def test_resume_refuses_a_journal_of_another_secret(tmp_path):
    submitted = _class(tmp_path / "submitted", {})
    out = tmp_path / "out"
    first = subprocess.run(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(out),
                                        "--unsafe-no-sandbox"], cwd=ROOT, env=_env(tmp_path),
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    other = tmp_path / "other-secret"
    other.write_text("another-secret-" + "8" * 32)
    os.chmod(other, 0o600)
    again = subprocess.run(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(out),
                                        "--unsafe-no-sandbox", "--resume"], cwd=ROOT,
                           env=_env(tmp_path, RNNCOURSE_SECRET_FILE=str(other)), capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 2
    assert "grading secret changed" in again.stderr and "another run" in again.stderr


# ---------------------------------------------------------------- workers ---------

def _misbehaving_worker(conn, ctx, student, slot, lane=None):
    """Stands in for the grader's worker (the real one cannot be made to fail from a
    submission): one student's worker hangs, one dies, the others answer."""
    if student == "hangs":
        time.sleep(3600)
    if student == "dies":
        os._exit(3)
    conn.send(grading.Row(student, "graded", 7.0, 10.0))
    conn.close()


def test_a_dead_or_stuck_worker_costs_only_its_own_student(tmp_path, monkeypatch):
    assignment = grading.Assignment.read(ROOT, corpus.ASSIGNMENT)
    limits = grading.GradingLimits(student_seconds=2, grace_seconds=1)
    ctx = grading.Context(str(ROOT), "", assignment, str(tmp_path), str(tmp_path / "out"), "s" * 20,
                          limits, False, str(tmp_path))
    monkeypatch.setattr(grading, "_student_process", _misbehaving_worker)
    rows = []
    students = ["a", "hangs", "b", "dies", "c", "d"]
    start = time.monotonic()
    grading._schedule(ctx, students, 2, rows.append, progress=False)
    assert time.monotonic() - start < 60
    by = {r.student_id: r for r in rows}
    assert sorted(by) == sorted(students) and len(rows) == len(students)
    assert by["hangs"].status == "timeout" and by["dies"].status == "crashed"
    assert all(by[s].status == "graded" and by[s].raw_score == 7 for s in "abcd")
    for s in ("hangs", "dies"):
        page = grading.feedback_path(ctx.out, s, assignment)
        assert page.is_file() and ("took longer" in page.read_text() or "died" in page.read_text())


# ---------------------------------------------------------------- the secret ------

def _grade_nobody(tmp_path, env):
    submitted = tmp_path / "nobody"
    submitted.mkdir(exist_ok=True)
    return subprocess.run(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(tmp_path / "o"),
                                       "--unsafe-no-sandbox"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_secret_is_made_outside_the_course_private_and_watched(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("RNNCOURSE_SECRET_FILE", None)
    env.pop("RNNCOURSE_SECRET", None)
    proc = _grade_nobody(tmp_path, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (made,) = (tmp_path / "config" / "rnncourse").iterdir()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    assert ROOT not in made.resolve().parents
    made.write_text("a-new-secret-" + "9" * 40)  # someone changed it
    proc = _grade_nobody(tmp_path, env)
    assert proc.returncode == 0 and "grading secret changed" in proc.stderr


@pytest.mark.parametrize("problem", ["inside the course", "readable by others", "a link"])
def test_unsafe_secret_files_are_refused(tmp_path, problem):
    if problem == "inside the course":
        path = ROOT / "course-work" / "test-secret"
        path.parent.mkdir(exist_ok=True)
    else:
        path = tmp_path / "secret"
    target = tmp_path / "real-secret"
    target.write_text("x" * 40)
    os.chmod(target, 0o600)
    try:
        if problem == "a link":
            path.symlink_to(target)
        else:
            path.write_text("y" * 40)
            os.chmod(path, 0o644 if problem == "readable by others" else 0o600)
        proc = _grade_nobody(tmp_path, {**os.environ, "RNNCOURSE_SECRET_FILE": str(path)})
    finally:
        if problem == "inside the course":
            path.unlink()
    assert proc.returncode == 2
    assert {"inside the course": "inside the course folder", "readable by others": "mode 0600",
            "a link": "is a link"}[problem] in proc.stderr


# ---------------------------------------------------------------- the wire --------

def test_codec_round_trips_plain_values():
    value = {"missing": False, "results": [{"ok": True, "value": (np.arange(6.0).reshape(2, 3), [1, 2.5, None])},
                                            {"ok": False, "error": "ValueError: no"}]}
    back = runner.unpack(runner.pack(value))
    np.testing.assert_array_equal(back["results"][0]["value"][0], value["results"][0]["value"][0])
    assert back["results"][0]["value"][1] == [1, 2.5, None] and back["results"][1] == value["results"][1]


def _forged(header, data=b""):
    head = json.dumps(header).encode()
    return len(head).to_bytes(8, "little") + head + data


@pytest.mark.parametrize("header,data", [
    ({"tree": {"t": "array", "k": 0}, "arrays": [["|O", [1]]]}, b"\0" * 8),  # objects: never
    ({"tree": {"t": "array", "k": 0}, "arrays": [["<f8", [2**20, 2**20]]]}, b""),  # a vast claim
    ({"tree": {"t": "array", "k": 3}, "arrays": [["<f8", [1]]]}, b"\0" * 8),  # no such array
    ({"tree": {"t": "array", "k": 0}, "arrays": [["V1000", [1]]]}, b"\0" * 1000),  # raw void
    ({"tree": {"t": "list", "items": "x" * 10}, "arrays": []}, b""),
])
def test_codec_refuses_what_it_did_not_write(header, data):
    with pytest.raises(runner.Malformed):
        runner.unpack(_forged(header, data))


def test_codec_refuses_deep_nesting_and_oversized_headers():
    deep = {"t": "none"}
    for _ in range(200):
        deep = {"t": "list", "items": [deep]}
    with pytest.raises(runner.Malformed):
        runner.unpack(_forged({"tree": deep, "arrays": []}))
    with pytest.raises(runner.Malformed):
        runner.unpack((2**40).to_bytes(8, "little") + b"{}")


def test_frames_stop_at_the_first_bytes_that_are_not_a_frame():
    data = runner.frame(b"progress", b"cell 1") + runner.frame(b"done") + b"garbage" + runner.frame(b"done")
    frames, clean = runner.read_frames(data)
    assert frames == [("progress", b"cell 1"), ("done", b"")] and not clean
    frames, clean = runner.read_frames(runner.frame(b"result", b"x" * 10)[:-3])  # cut short
    assert frames == [] and not clean


def test_sandbox_run_stops_at_the_byte_limit_and_the_deadline():
    out = sandbox.run([sys.executable, "-c", "import sys\nwhile True: sys.stdout.buffer.write(b'x' * 65536)"],
                      timeout=30, max_bytes=10**6)
    assert out.overflow and len(out.output) == 10**6
    start = time.monotonic()
    out = sandbox.run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=1, max_bytes=10)
    assert out.timed_out and time.monotonic() - start < 10


# ---------------------------------------------------------------- backprop --------

@pytest.mark.requires_tool
def test_a_backward_pass_by_finite_differences_of_the_forward_earns_nothing(tmp_path):
    """End to end through `rnncourse grade`: the hidden caches are not the forward of
    their inputs, so differencing the forward fails them (see tests/test_hidden_caches.py)."""
    _sandbox_or_skip()
    import inspect

    import test_hidden_caches as fd

    assignment = "03-bptt"
    solution = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    numeric = json.loads(json.dumps(solution))
    answer = next(c for c in numeric["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "rnn_step_backward")
    answer["source"] = inspect.getsource(fd._numerical) + "\n\n" + inspect.getsource(fd.fd_rnn_step_backward)
    submitted = tmp_path / "submitted"
    for name, nb in (("backprop", solution), ("differences", numeric)):
        folder = submitted / name / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
    proc = subprocess.run(RNNCOURSE + ["grade", assignment, str(submitted), "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    points = grading.Assignment.read(ROOT, assignment).points
    full = sum(points.values())
    assert float(rows["backprop"]["score"]) == full
    # rnn_step_backward fails its hidden cases, and rnn_backward, which calls it, with it
    assert float(rows["differences"]["score"]) == full - points["rnn_step_backward"] - points["rnn_backward"]
