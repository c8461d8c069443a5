"""Grading a class on a Dask cluster: ``rnncourse grade ... --scheduler tcp://HOST:8786``.

The cluster is Dask's own (the ``distributed`` package): a ``dask scheduler`` and
``dask worker`` processes, started the usual way on as many machines as the course has.
Each student is one task. On a worker, a task first checks that it can sandbox student
code (a worker without bubblewrap refuses, and the client names that worker), then
grades the student in a fresh process (forked from the worker's warmed forkserver)
exactly as a local run's worker does (:func:`rnnlib.course.grading.grade_one` in a process of its
own, under its memory limit, with a uid of that machine's pool), and returns the row,
the feedback page and the record's files.

The client alone writes: the journal, ``grades.csv``, the pages and the records, one row
per student, in the order tasks finish. A worker that dies (a machine lost) takes its
running tasks with it; Dask's scheduler runs them again on another worker, and only the
result that comes back is written, so no row is written twice. A submission that breaks
its own grading is a row (``crashed``, ``timeout``...), never an exception that the
scheduler would retry.

What a task needs either travels with it (the assignment, the limits, the course's
secret) or is read from paths the instructor shares with every worker at the same
place (the course folder and SUBMITTED_DIR). The secret reaches the workers' grading
processes, never student code (the runner gets only per-student seeds); on a network,
protect it with Dask's TLS settings (README, "Grading on a cluster").
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pathlib
import pickle
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid

from tqdm.auto import tqdm

from . import sandbox

ROW_FILE = "row.pickle"
_TEMPLATES = {}  # per worker process: (root, assignment, digest of its source) -> template folder
_HOME = []  # this worker process's own folder for them, made once with mkdtemp (never a guessed name)


class WorkerRefused(RuntimeError):
    """A worker cannot grade safely (no bubblewrap); the message names the worker."""


def _worker_name():
    try:
        from distributed import get_worker

        worker = get_worker()
        return f"{worker.name} ({worker.address})" if worker.name != worker.address else worker.address
    except (ImportError, ValueError):
        return "this machine"


def _source_digest(root, assignment):
    from .config import SOURCE

    digest = hashlib.sha256()
    folder = pathlib.Path(root) / SOURCE / assignment
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _template_here(root, assignment):
    """This worker's private course for the assignment, generated once per source version."""
    from .grading import _template

    key = (root, assignment.name, _source_digest(root, assignment.name))
    if key not in _TEMPLATES or not pathlib.Path(_TEMPLATES[key]).is_dir():
        if not _HOME:
            _HOME.append(pathlib.Path(tempfile.mkdtemp(prefix="rnncourse-worker-")))
            os.chmod(_HOME[0], 0o755)
        folder = _HOME[0] / key[2]
        folder.mkdir(exist_ok=True)
        os.chmod(folder, 0o755)
        with open(folder / ".lock", "w") as lock:  # the worker's threads build it once
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (folder / "template").is_dir():
                _template(root, assignment, folder)
        _TEMPLATES[key] = str(folder / "template")
    return _TEMPLATES[key]


def grade_task(spec, student):
    """On a worker: grade one student; returns ``(row, {relative path: bytes})`` of what to write."""
    from .grading import Context, Row

    if spec["use_sandbox"]:
        ok, why = sandbox.available()
        if not ok:
            raise WorkerRefused(f"worker {_worker_name()} cannot sandbox student code: {why}. Install "
                                f"bubblewrap there (apt-get install bubblewrap) or stop that worker.")
    template = _template_here(spec["root"], spec["assignment"])
    limits = spec["limits"]
    with tempfile.TemporaryDirectory(prefix="rnncourse-task-") as tmp:
        os.chmod(tmp, 0o755)
        out = pathlib.Path(tmp) / "out"
        out.mkdir()
        cache = _HOME[0] / "page-cache"  # in the worker's own mkdtemp folder, for all its tasks
        cache.mkdir(mode=0o700, exist_ok=True)
        ctx = Context(spec["root"], template, spec["assignment"], spec["submitted"], str(out), spec["secret"],
                      limits, spec["use_sandbox"], tmp, spec["records"], str(cache))
        job = pathlib.Path(tmp) / "job.pickle"  # it holds the secret: private from the first byte
        with os.fdopen(os.open(job, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb") as f:
            f.write(pickle.dumps((ctx, student)))
        try:
            failed = not _in_own_process(job, limits.student_seconds + limits.grace_seconds)
        except subprocess.TimeoutExpired:
            return Row(student, "timeout", max_score=spec["assignment"].max_score,
                       notes=["Grading this submission took longer than the "
                              f"{limits.student_seconds:g} s allowed for one student."]), {}
        row_file = pathlib.Path(tmp) / ROW_FILE
        if failed or not row_file.is_file():
            return Row(student, "crashed", max_score=spec["assignment"].max_score,
                       notes=["The grading process for this submission died; please tell your instructor."]), {}
        row = pickle.loads(row_file.read_bytes())
        files = {}  # regular files only, never through a link
        for folder, _, names in os.walk(out):
            for name in names:
                path = pathlib.Path(folder) / name
                if stat.S_ISREG(path.lstat().st_mode):
                    files[path.relative_to(out).as_posix()] = path.read_bytes()
        return row, files


def _in_own_process(job, timeout):
    """Run :func:`_grade_here` on ``job`` in a process of its own; whether it ended well.

    The process is forked from this worker's multiprocessing forkserver, warmed once by
    the same preload as a local run's (:data:`rnnlib.course.grading.PRELOAD`). A worker
    that is itself a daemon process (a nanny's, by default) may not have such children,
    and starts ``python -m rnnlib.course.cluster JOB`` instead, at the cost of Python's
    start and imports for every student."""
    import multiprocessing

    from .grading import PRELOAD

    if multiprocessing.current_process().daemon:
        return subprocess.run([sys.executable, "-m", __name__, str(job)], capture_output=True,
                              timeout=timeout).returncode == 0
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(PRELOAD)
    proc = mp.Process(target=_grade_here, args=(str(job),), daemon=True)
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        raise subprocess.TimeoutExpired(str(job), timeout)
    return proc.exitcode == 0


def _grade_here(job):
    """The grading process of one task (``python -m rnnlib.course.cluster JOB``)."""
    import warnings

    from .grading import Row, grade_one

    ctx, student = pickle.loads(pathlib.Path(job).read_bytes())
    limit = ctx.limits.worker_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.filterwarnings("ignore")
    try:
        if ctx.use_sandbox:
            with sandbox.UidPool().claim() as uid:
                row = grade_one(ctx, student, 0, uid)
        else:
            row = grade_one(ctx, student, 0)
    except BaseException:  # noqa: BLE001 - even a MemoryError leaves a row
        row = Row(student, "crashed", max_score=ctx.assignment.max_score,
                  notes=["The grader's worker failed on this submission; please tell your instructor."])
    (pathlib.Path(ctx.tmp) / ROW_FILE).write_bytes(pickle.dumps(row))


def _safe_target(out, relative):
    """Where a returned file goes: under OUT's feedback/ or records/, nowhere else."""
    parts = pathlib.PurePosixPath(relative).parts
    if not parts or parts[0] not in ("feedback", "records") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"a worker returned a file outside feedback/ and records/: {relative!r}")
    return pathlib.Path(out).joinpath(*parts)


def schedule(ctx, students, scheduler, on_row, progress, security=None):
    """Grade ``students`` on the cluster at ``scheduler``; ``on_row`` gets each row as it comes back."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    from .grading import SandboxUnavailable, _fallback_row, _write_atomically

    spec = {"root": str(pathlib.Path(ctx.root).resolve()), "assignment": ctx.assignment,
            "submitted": str(pathlib.Path(ctx.submitted).resolve()), "secret": ctx.secret,
            "limits": ctx.limits, "use_sandbox": ctx.use_sandbox, "records": ctx.records}
    run = uuid.uuid4().hex[:8]
    client = Client(scheduler, timeout="30s", security=security)
    bar = tqdm(total=len(students), desc=f"grading {ctx.assignment.name} on {scheduler}", unit="student",
               disable=not progress)
    futures = {}
    try:
        spec_future = client.scatter(spec, broadcast=True, hash=False)
        for i, student in enumerate(students):
            future = client.submit(grade_task, spec_future, student, key=f"rnncourse-{run}-{i}", pure=False)
            futures[future] = student
        for future in as_completed(futures):
            student = futures[future]
            try:
                row, files = future.result()
            except WorkerRefused as refused:
                raise SandboxUnavailable(str(refused)) from None
            except KilledWorker:
                row, files = _fallback_row(ctx, student, "crashed", "Every worker that graded this submission "
                                           "died while grading it; please tell your instructor."), {}
            if ctx.records:  # a record of an earlier run must not stand for this submission
                from .gradebook import record_folder

                shutil.rmtree(record_folder(ctx.out, student), ignore_errors=True)
            for relative, data in files.items():
                _write_atomically(_safe_target(ctx.out, relative), data)
            on_row(row)
            bar.update(1)
    finally:
        client.cancel(list(futures))
        client.close()
        bar.close()


if __name__ == "__main__":
    _grade_here(sys.argv[1])
