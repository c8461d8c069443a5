"""Grading on a real Dask cluster: a scheduler and two workers, separate processes on 127.0.0.1.

- `rnncourse grade ... --scheduler` writes the grades.csv a local run writes.
- A worker killed with SIGKILL while it grades leaves every student with exactly one row;
  its task runs again on the other worker, and grades.csv is still the local run's.
- Ctrl-C on the client leaves a grades.csv of the finished students, and `--resume`
  finishes the class on the cluster without grading them again, with identical results.
"""

import contextlib
import csv
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

from rnnlib.course import cluster as cluster_module
from rnnlib.course import grading, sandbox

from grading import corpus
from test_grading_guarantees import interactive_ctrl_c, wait_for_rows

pytestmark = [pytest.mark.cluster, pytest.mark.requires_tool]
ROOT = corpus.ROOT
RNNCOURSE = [sys.executable, "-m", "rnnlib.course.cli"]
DASK = str(pathlib.Path(sys.executable).parent / "dask")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path):
    secret = tmp_path / "secret"
    if not secret.exists():
        secret.write_text("a-cluster-secret-" + "7" * 32)
        os.chmod(secret, 0o600)
    env = {**os.environ, "RNNCOURSE_SECRET_FILE": str(secret), "TMPDIR": str(tmp_path),
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    env.pop("RNNCOURSE_SECRET", None)
    return env


def _sandbox_flags():
    ok, _ = sandbox.available()
    return [] if ok else ["--unsafe-no-sandbox"]


class Cluster:
    """`dask scheduler` and two `dask worker` processes (no nanny: killing one is losing it)."""

    def __init__(self, tmp_path, names=("w1", "w2"), worker_path=None):
        self.tmp = tmp_path
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = _env(tmp_path)
        self.logs = tmp_path / "cluster-logs"
        self.logs.mkdir(exist_ok=True)
        self.scheduler = self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port",
                                                   str(self.port), "--no-dashboard"])
        worker_env = dict(self.env, PATH=worker_path) if worker_path else self.env
        self.workers = {name: self._start(name, [DASK, "worker", self.address, "--name", name, "--nthreads", "1",
                                                 "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], worker_env)
                        for name in names}
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(len(names), timeout=120)

    def _start(self, name, argv, env=None):
        log = open(self.logs / f"{name}.log", "w")
        return subprocess.Popen(argv, cwd=self.tmp, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def busy_worker(self, timeout=300):
        """The name of a worker that is grading a task right now."""
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(self.address, timeout="30s") as client:
            while time.monotonic() < deadline:
                info = client.scheduler_info()["workers"]
                for address, tasks in client.processing().items():
                    if tasks and address in info:
                        return info[address]["name"]
                time.sleep(0.2)
        raise TimeoutError("no worker took a task")

    def stop(self):
        for proc in [*self.workers.values(), self.scheduler]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _distributed_or_skip():
    try:
        import distributed  # noqa: F401
    except ImportError:
        pytest.skip("cluster grading: the distributed package is not installed")


@pytest.fixture
def cluster(tmp_path):
    _distributed_or_skip()
    running = Cluster(tmp_path)
    try:
        yield running
    finally:
        running.stop()


def _class(folder, k=6):
    slow = corpus.insert(corpus.solution(), "import time\ntime.sleep(3)\n")
    notebooks = {f"s{i}": (slow if i % 3 == 0 else corpus.solution() if i % 3 == 1 else corpus.wrong())
                 for i in range(k)}
    for name, nb in notebooks.items():
        target = folder / name / corpus.ASSIGNMENT
        target.mkdir(parents=True)
        (target / f"{corpus.ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
    return folder


def _grade(tmp_path, submitted, out, *more, **popen):
    return subprocess.Popen(RNNCOURSE + ["grade", corpus.ASSIGNMENT, str(submitted), "--out", str(out),
                                         *_sandbox_flags(), *more], cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _rows(out):
    with open(out / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def local(tmp_path):
    """The class and its grades.csv as a local run writes it."""
    submitted = _class(tmp_path / "submitted")
    proc = _grade(tmp_path, submitted, tmp_path / "local", "--jobs", "2")
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-2000:]
    return submitted, (tmp_path / "local" / "grades.csv").read_bytes()


def test_a_class_on_the_cluster_grades_as_locally_and_survives_a_killed_worker(tmp_path, cluster, local):
    submitted, expected = local
    out = tmp_path / "cluster"
    proc = _grade(tmp_path, submitted, out, "--scheduler", cluster.address)
    victim = cluster.busy_worker()
    os.killpg(cluster.workers[victim].pid, signal.SIGKILL)  # the machine is gone, in the middle of a task
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    assert cluster.workers[victim].poll() is not None
    assert "Remove worker addr: " in (cluster.logs / "scheduler.log").read_text(), "the scheduler lost it"
    rows = _rows(out)
    assert sorted(r["student_id"] for r in rows) == [f"s{i}" for i in range(6)], "one row per student"
    assert (out / "grades.csv").read_bytes() == expected
    journaled = [json.loads(line)["student_id"] for line in (out / grading.JOURNAL).read_text().splitlines()[1:]]
    assert sorted(journaled) == [f"s{i}" for i in range(6)], "nothing written twice"
    for i in range(6):
        assert (out / "feedback" / f"s{i}" / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html").is_file()


def test_ctrl_c_then_resume_on_the_cluster_finishes_the_class_identically(tmp_path, cluster, local):
    submitted, expected = local
    out = tmp_path / "cluster"
    proc = _grade(tmp_path, submitted, out, "--scheduler", cluster.address, start_new_session=True,
                  preexec_fn=interactive_ctrl_c)
    wait_for_rows(out / grading.JOURNAL, 2, timeout=600)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    done = {r["student_id"] for r in _rows(out)}
    assert 2 <= len(done) < 6, done
    pages = {s: (out / "feedback" / s / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html").stat().st_mtime_ns
             for s in done}
    again = _grade(tmp_path, submitted, out, "--scheduler", cluster.address, "--resume")
    _, err = again.communicate(timeout=900)
    assert again.returncode == 0, err[-2000:]
    assert (out / "grades.csv").read_bytes() == expected
    for s, mtime in pages.items():  # finished students were not graded again
        assert (out / "feedback" / s / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.html").stat().st_mtime_ns == mtime


def test_a_worker_without_bubblewrap_refuses_and_is_named(tmp_path):
    """Its PATH has no bwrap: its task is refused there, and the client says which worker."""
    _distributed_or_skip()
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"sandboxed grading: {why}")
    submitted = _class(tmp_path / "submitted", k=2)
    running = Cluster(tmp_path, names=("no-bwrap",), worker_path=str(pathlib.Path(sys.executable).parent))
    try:
        proc = _grade(tmp_path, submitted, tmp_path / "out", "--scheduler", running.address)
        _, err = proc.communicate(timeout=600)
    finally:
        running.stop()
    assert proc.returncode == 2, err[-2000:]
    assert "worker no-bwrap" in err and "bubblewrap" in err, err[-2000:]
    assert not (tmp_path / "out" / "feedback").exists(), "nothing graded without a sandbox"


@pytest.mark.parametrize("relative", ["grades.csv", "../x", "feedback/../../x", "", "/etc/x", "journal/x"])
def test_the_client_writes_only_under_feedback_and_records(tmp_path, relative):
    """What a worker sends back lands under OUT/feedback or OUT/records, or is refused."""
    with pytest.raises(ValueError, match="outside feedback"):
        cluster_module._safe_target(tmp_path, relative)
    assert cluster_module._safe_target(tmp_path, "feedback/s1/a/a.html") == tmp_path / "feedback" / "s1" / "a" / "a.html"
