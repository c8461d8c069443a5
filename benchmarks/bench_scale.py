"""Grading at scale: a generated class on a Dask cluster of 1, then 2, worker processes.

    sudo .venv/bin/python benchmarks/bench_scale.py [--students 1000] [--workers 1,2]

Makes a class of generated submissions of 02-unrolling: 40% correct, 25% with a named
mistake, 20% blank, 15% hostile (cases of the grading corpus that tamper with the
checks, kill the grader, read what is not theirs or send forged frames; none of the
ones that run into a time limit, which would measure the limit). For each worker count
it starts a real `dask scheduler` and `dask worker --nworkers K --nthreads 1` on
127.0.0.1, times `rnncourse grade --scheduler` on the class (sandbox on, as
`rnncourse grade` itself: root and bubblewrap), and prints submissions per second,
seconds of CPU per submission (everything the machine
used, the client included, read as the machine's busy time, so run it on a quiet
machine), the CPU split by phase that each row records, and the scaling from the first
worker count to the others. The workers are nannied (`--nworkers`) and run with
`distributed.worker.daemon` off, so that each forks its grading processes from a
warmed forkserver, as the README recommends.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
ASSIGNMENT = "02-unrolling"
HOSTILE = ("monkeypatch-checks", "os-exit", "kill-parent", "calls-reference", "reads-solutions",
           "opens-socket", "nan-results", "forged-frames-on-the-channel", "deleted-test-cells",
           "input-transformer")


def make_class(folder, n):
    from grading import corpus  # the corpus's builders make readable NumPy students

    blank = json.loads((ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    mistake = corpus.with_answer(corpus.solution(), "rnn_step_forward", corpus.STEP_NO_BIAS)
    hostile = [corpus.CASES[name]["build"]() for name in HOSTILE]
    kinds = {}
    for i in range(n):
        r = (i * 37) % 100  # a fixed, well-mixed order
        if r < 40:
            nb, kind = corpus.solution(), "correct"
        elif r < 65:
            nb, kind = mistake, "named mistake"
        elif r < 85:
            nb, kind = blank, "blank"
        else:
            nb, kind = hostile[i % len(hostile)], "hostile"
        kinds[kind] = kinds.get(kind, 0) + 1
        target = pathlib.Path(folder) / f"student{i:04d}" / ASSIGNMENT
        target.mkdir(parents=True)
        (target / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
    return kinds


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _busy_seconds():
    """CPU seconds the whole machine has spent busy (all processes, the kernel's included),
    from /proc/stat: the jails' processes are reaped inside their own PID namespaces, so
    no process's accounting sees them. Meaningful on an otherwise quiet machine."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def grade_on_cluster(submitted, out, workers, tmp):
    """Start a scheduler and `workers` worker processes, grade the class; (seconds, CPU seconds)."""
    dask = str(pathlib.Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    # a nanny's worker is a daemon process by default, which may not fork grading processes
    # from a warmed forkserver (it would start Python afresh for every student)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
           "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    logs = open(pathlib.Path(tmp) / f"cluster-{workers}.log", "w")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, cwd=tmp, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True)]
    procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                                   "--no-dashboard", "--host", "127.0.0.1"],
                                  env=env, cwd=tmp, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        busy0, start = _busy_seconds(), time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", ASSIGNMENT, str(submitted),
                               "--out", str(out), "--scheduler", address], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        cpu = _busy_seconds() - busy0
        if done.returncode != 0:
            sys.exit(done.stderr[-2000:])
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait()
    return seconds, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker process counts to compare (default 1,2)")
    args = parser.parse_args()
    counts = [int(k) for k in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        os.chmod(tmp, 0o755)
        submitted = pathlib.Path(tmp) / "submitted"
        kinds = make_class(submitted, args.students)
        n = args.students
        print(f"{n} submissions of {ASSIGNMENT} ({', '.join(f'{v} {k}' for k, v in kinds.items())}), "
              f"{os.cpu_count()} cores, sandbox on")
        first = None
        for workers in counts:
            seconds, cpu = grade_on_cluster(submitted, pathlib.Path(tmp) / f"out-{workers}", workers, tmp)
            rate = n / seconds
            first = first or rate
            with open(pathlib.Path(tmp) / f"out-{workers}" / "grades.csv", newline="") as f:
                statuses = collections.Counter(row["status"] for row in csv.DictReader(f))
            phases = collections.Counter()
            for line in (pathlib.Path(tmp) / f"out-{workers}" / "grades.journal").read_text().splitlines()[1:]:
                phases.update(json.loads(line).get("cpu", {}))
            print(f"{workers} worker process(es): {seconds:7.1f} s, {rate:5.2f} submissions/s, "
                  f"{cpu / n:5.2f} s of CPU per submission (machine busy), {rate / first:4.2f}x the first "
                  f"({', '.join(f'{v} {k}' for k, v in sorted(statuses.items()))})")
            print("    CPU per submission by phase, as the rows record it: "
                  + ", ".join(f"{k} {phases[k] / n:.3f} s" for k in ("jail", "execution", "scoring", "feedback")),
                  flush=True)


if __name__ == "__main__":
    main()
