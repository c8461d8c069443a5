"""Grading throughput: `rnncourse grade` (sandboxed, parallel) against plain nbgrader.

    .venv/bin/python benchmarks/bench_grading.py [--students 100] [--jobs N]

Makes a class of generated submissions of 02-unrolling (a third correct, a third with
one named mistake, a third blank), grades it with `rnncourse grade --jobs N` (sandbox
on), then with plain sequential `nbgrader autograde` on the same folder in a fresh
course, and prints seconds per submission for both. Needs root and bubblewrap for the
sandboxed run, like `rnncourse grade` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
ASSIGNMENT = "02-unrolling"


def make_class(folder, n):
    from grading import corpus  # the corpus's builders make readable NumPy students

    blank = json.loads((ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    kinds = [corpus.solution(), corpus.with_answer(corpus.solution(), "rnn_step_forward", corpus.STEP_NO_BIAS),
             blank]
    for i in range(n):
        target = pathlib.Path(folder) / f"student{i:03d}" / ASSIGNMENT
        target.mkdir(parents=True)
        (target / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(kinds[i % 3]))


def plain_nbgrader(submitted, n):
    """Sequential `nbgrader autograde` of the same folder, in a fresh course."""
    from rnnlib.course.nbapi import api, run, venv_on_path

    with tempfile.TemporaryDirectory() as tmp:
        course = pathlib.Path(tmp)
        shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
        nb = api(course, release=str(course / "release"), work=course / "work")
        with venv_on_path():
            run(nb.generate_assignment(ASSIGNMENT), "generate_assignment")
            shutil.copytree(submitted, course / "work" / "submitted")
            start = time.perf_counter()
            for i in range(n):
                nb.autograde(ASSIGNMENT, f"student{i:03d}")
            return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None, help="as rnncourse grade (default: its own)")
    parser.add_argument("--skip-nbgrader", action="store_true", help="time only rnncourse grade")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        submitted = pathlib.Path(tmp) / "submitted"
        make_class(submitted, args.students)
        start = time.perf_counter()
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", ASSIGNMENT, str(submitted),
                               "--out", str(pathlib.Path(tmp) / "out")] + jobs,
                              cwd=ROOT, capture_output=True, text=True)
        ours = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(proc.stderr[-2000:])
        theirs = None if args.skip_nbgrader else plain_nbgrader(submitted, args.students)
    n = args.students
    print(f"{n} submissions of {ASSIGNMENT}, {os.cpu_count()} cores")
    print(f"rnncourse grade {' '.join(jobs)} (sandboxed, out-of-process scores, feedback): "
          f"{ours:7.1f} s, {ours / n:.2f} s per submission")
    if theirs is not None:
        print(f"plain nbgrader autograde, sequential (no sandbox, no feedback): "
              f"{theirs:7.1f} s, {theirs / n:.2f} s per submission")


if __name__ == "__main__":
    main()
