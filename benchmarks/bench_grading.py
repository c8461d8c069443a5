"""Grading throughput: `rnncourse grade` (sandboxed, parallel) on every assignment.

    sudo .venv/bin/python benchmarks/bench_grading.py [--students 100] [--jobs N]
                                                     [--assignments 02-unrolling,...]
                                                     [--with-nbgrader]

For each assignment, makes a class of generated submissions (a third the solution, a
third with one named mistake written in NumPy, a third the blank student version),
grades it with `rnncourse grade --jobs N` (sandbox on: one jailed run per submission),
and prints seconds per submission, CPU seconds per submission, and the CPU split by
phase that each row of the grading journal carries: the jail's own work (a lane's start,
its Python and the imports, on the row of the lane's first student; the cleanup after
each student), the execution (the notebook's cells and the graded functions, in the
jail), the scoring (the grader replaying the results through the checks) and the feedback
(nbgrader's autograde bookkeeping, the gradebook and the feedback page). With
`--with-nbgrader`, the same folders are also graded by plain sequential `nbgrader
autograde` (no sandbox, no feedback) for comparison. Needs root and bubblewrap, like
`rnncourse grade` itself.
"""

from __future__ import annotations

import argparse
import collections
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
ASSIGNMENTS = ["02-unrolling", "03-bptt", "04-gradients", "05-cec", "06-lstm", "07-gru"]
PHASES = ["jail", "execution", "scoring", "feedback"]

# one named mistake per assignment, written in NumPy as a student would (the catalogue of
# tests/mistakes/ where it has one for the assignment)
MISTAKES = {
    "02-unrolling": ("rnn_step_forward", "mistakes/rnn_step_forward_no_bias.py"),
    "03-bptt": ("rnn_step_backward", "mistakes/rnn_step_backward_tanh_of_h.py"),
    "04-gradients": ("clip_grad_norm", '''def clip_grad_norm(grads, max_norm):
    # each array clipped by its own norm, not by the global norm
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        own = float(np.sqrt(np.sum(g * g)))
        clipped[name] = g * (max_norm / own) if own > max_norm else g
    return clipped, norm
'''),
    "05-cec": ("self_loop_forward", '''def self_loop_forward(x, w, activation="identity"):
    # the activation is never applied
    y = np.zeros(x.shape[0])
    prev = 0.0
    for t in range(x.shape[0]):
        prev = w * prev + x[t]
        y[t] = prev
    return y
'''),
    "06-lstm": ("lstm_step_forward", "mistakes/lstm_step_forward_ifgo.py"),
    "07-gru": ("gru_step_forward", "mistakes/gru_step_forward_z_roles_swapped.py"),
}


def make_class(folder, assignment, n):
    """``n`` submissions of ``assignment`` under ``folder``: correct, one mistake, blank."""
    import students

    solution = students.load(assignment)
    name, source = MISTAKES[assignment]
    if source.endswith(".py"):
        source = (ROOT / "tests" / source).read_text()
    mistaken = students.with_source(solution, name, source)
    blank = json.loads((ROOT / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    kinds = [solution, mistaken, blank]
    for i in range(n):
        students.write(kinds[i % 3], folder, f"student{i:03d}", assignment)


def plain_nbgrader(assignment, submitted, n):
    """Sequential `nbgrader autograde` of the same folder, in a fresh course (seconds)."""
    from rnnlib.course.nbapi import api, run, venv_on_path

    with tempfile.TemporaryDirectory() as tmp:
        course = pathlib.Path(tmp)
        shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
        nb = api(course, release=str(course / "release"), work=course / "work")
        with venv_on_path():
            run(nb.generate_assignment(assignment), "generate_assignment")
            shutil.copytree(submitted, course / "work" / "submitted")
            start = time.perf_counter()
            for i in range(n):
                nb.autograde(assignment, f"student{i:03d}")
            return time.perf_counter() - start


def grade(assignment, submitted, out, jobs):
    """``(seconds, {phase: CPU seconds summed over rows}, statuses)``."""
    extra = ["--jobs", str(jobs)] if jobs else []
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", "grade", assignment, str(submitted),
                           "--out", str(out)] + extra, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(proc.stderr[-2000:])
    phases, statuses = collections.Counter(), collections.Counter()
    lines = (pathlib.Path(out) / "grades.journal").read_text().splitlines()[1:]
    for line in lines:
        row = json.loads(line)
        statuses[row["status"]] += 1
        for phase, value in row.get("cpu", {}).items():
            phases[phase] += value
    return seconds, phases, statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None, help="as rnncourse grade (default: its own)")
    parser.add_argument("--assignments", default=",".join(ASSIGNMENTS))
    parser.add_argument("--with-nbgrader", action="store_true",
                        help="also time plain sequential nbgrader autograde (no sandbox, no feedback)")
    args = parser.parse_args()
    n = args.students
    print(f"{n} submissions of each assignment (a third correct, a third one named mistake, a third blank), "
          f"{os.cpu_count()} cores, sandbox on, rnncourse grade{' --jobs ' + str(args.jobs) if args.jobs else ''}")
    print("(s/sub: wall clock for the whole command, start-up included; CPU s/sub: the sum of the phases, "
          "as each row of the journal records them)")
    print(f"{'assignment':<14}{'s/sub':>7}{'CPU s/sub':>11}   CPU s/sub by phase: "
          + "  ".join(f"{p:>9}" for p in PHASES) + "   statuses")
    for assignment in args.assignments.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
            os.chmod(tmp, 0o755)
            submitted = pathlib.Path(tmp) / "submitted"
            make_class(submitted, assignment, n)
            seconds, phases, statuses = grade(assignment, submitted, pathlib.Path(tmp) / "out", args.jobs)
            split = "  ".join(f"{phases[p] / n:9.3f}" for p in PHASES)
            cpu = sum(phases[p] for p in PHASES)
            print(f"{assignment:<14}{seconds / n:7.2f}{cpu / n:11.2f}                       {split}   "
                  + ", ".join(f"{v} {k}" for k, v in sorted(statuses.items())), flush=True)
            if args.with_nbgrader:
                theirs = plain_nbgrader(assignment, submitted, n)
                print(f"{'':<14}plain sequential nbgrader autograde (no sandbox, no feedback): "
                      f"{theirs / n:.2f} s per submission", flush=True)


if __name__ == "__main__":
    main()
