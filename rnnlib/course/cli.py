"""The ``rnncourse`` command: release, validate and grade the course's assignments."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import warnings

from . import gradebook, hub
from .config import WORK, find_root, make_config
from .grading import GradingLimits, Interrupted, grade_class, validate, write_csv
from .secret import SecretError
from .release import assignments, release, stale


def _release(args):
    root = find_root()
    names = assignments(root, args.assignments)
    if args.check:
        old = stale(root, names)
        if old:
            print("exercises/ is stale for: " + ", ".join(old) + " (run `rnncourse release`)")
            return 1
        print(f"exercises/ is up to date for {len(names)} assignment(s)")
        return 0
    release(root, names)
    print(f"released {len(names)} assignment(s) into exercises/: " + ", ".join(names))
    return 0


def _validate(args):
    root = find_root()
    failures = 0
    for name in assignments(root, args.assignments):
        solution, blank, info = validate(root, name, use_sandbox=not args.unsafe_no_sandbox)
        auto = sum(info.points.values())
        ok = (solution.status == blank.status == "graded" and auto > 0
              and solution.raw_score == auto and blank.raw_score == 0)
        failures += not ok
        print(f"{'ok ' if ok else 'BAD'} {name}: solution {solution.raw_score:g}/{auto:g} "
              f"({solution.status}), blank {blank.raw_score:g}/{auto:g} ({blank.status}) "
              f"autograded points")
    return 1 if failures else 0


def _limits(args):
    limits = GradingLimits()
    for option, attribute, scale in (("student_seconds", "student_seconds", 1), ("disk_mb", "disk_bytes", 2**20),
                                     ("memory_mb", "jail_memory_bytes", 2**20),
                                     ("kernel_seconds", "kernel_seconds", 1)):
        value = getattr(args, option)
        if value is not None:
            if value <= 0:
                raise ValueError(f"--{option.replace('_', '-')} must be positive, got {value}")
            setattr(limits, attribute, type(getattr(limits, attribute))(value * scale))
    return limits


def _grade(args):
    root = find_root()
    (name,) = assignments(root, [args.assignment])
    course_mode = args.submitted_dir is None  # the course's own submissions, into its gradebook
    submitted, out = args.submitted_dir, args.out
    if course_mode:
        submitted = make_config(root).CourseDirectory.submitted_directory
        out = out or str(pathlib.Path(root) / WORK / "rnncourse" / name)
        if not any((p / name).is_dir() for p in _folders(submitted)):
            print(f"rnncourse: no submissions of {name} in {submitted}: collect them first "
                  f"(nbgrader collect {name}, or Collect in the formgrader)", file=sys.stderr)
            return 1
    elif out is None:
        print("rnncourse: --out OUT_DIR is needed with SUBMITTED_DIR", file=sys.stderr)
        return 2
    try:
        rows = grade_class(root, name, submitted, out, jobs=args.jobs, use_sandbox=not args.unsafe_no_sandbox,
                           resume=args.resume, limits=_limits(args), records=course_mode,
                           scheduler=args.scheduler)
    except Interrupted as stop:
        print(f"rnncourse: {stop}; {out}/grades.csv holds the {stop.done} finished. Run the same "
              f"command with --resume to finish the class.", file=sys.stderr)
        return 130
    graded = sum(r.status == "graded" for r in rows)
    print(f"graded {graded} of {len(rows)} submission(s); grades in {out}/grades.csv, "
          f"feedback in {out}/feedback/")
    if not course_mode:
        return 0
    recorded = [r.student_id for r in rows if (gradebook.record_folder(out, r.student_id) / gradebook.GRADER_FILE).is_file()]
    results = gradebook.import_as_owner(root, name, out, recorded)
    for row in rows:  # grades.csv says what the gradebook says of late work
        late = results.get(row.student_id, {})
        row.late_penalty, row.duedate = late.get("penalty", 0.0), late.get("duedate", "")
    write_csv(pathlib.Path(out) / "grades.csv", name, rows)
    if os.geteuid() == 0:
        gradebook.give_to(out, *gradebook.owner_of(root))
    failed = {s: r["error"] for s, r in results.items() if "error" in r}
    print(f"{len(results) - len(failed)} submission(s) in the course's gradebook: review the written answers "
          f"in the formgrader, then `nbgrader generate_feedback {name}` and `nbgrader release_feedback {name}`")
    for row in rows:
        if row.student_id not in results:  # nothing to grade: told in grades.csv and on the feedback page
            why = row.notes[0] if row.notes else "see grades.csv"
            print(f"  not in the gradebook: {row.student_id} ({row.status}): {why}", file=sys.stderr)
    for student, why in sorted(failed.items()):
        print(f"  could not be put in the gradebook: {student}: {why}", file=sys.stderr)
    return 1 if failed else 0


def _folders(path):
    path = pathlib.Path(path)
    return [p for p in path.iterdir() if p.is_dir() and not p.is_symlink()] if path.is_dir() else []


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnncourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate exercises/ from solutions/")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.add_argument("--check", action="store_true", help="fail if exercises/ is stale; change nothing")
    p.set_defaults(func=_release)
    p = sub.add_parser("validate", help="each solution earns full marks, each student version zero")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run without bubblewrap (student code runs with your rights)")
    p.set_defaults(func=_validate)
    p = sub.add_parser("grade", help="autograde SUBMITTED_DIR/<student>/<assignment>/ into OUT_DIR; without "
                       "SUBMITTED_DIR, the course's collected submissions into its gradebook")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("submitted_dir", metavar="SUBMITTED_DIR", nargs="?",
                   help="a folder of <student>/<assignment>/; default: the course's submitted folder "
                        "(nbgrader collect), graded into the course's gradebook for the formgrader")
    p.add_argument("--out", metavar="OUT_DIR",
                   help="grades.csv and feedback (default with the course: course-work/rnncourse/ASSIGNMENT)")
    p.add_argument("--jobs", type=int, default=None, help="students graded at once (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask cluster (e.g. tcp://HOST:8786): one task per student; the course "
                        "folder and SUBMITTED_DIR must be at the same paths on every worker")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without bubblewrap: student code then runs with your rights")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run: students already in OUT_DIR's journal are not graded again")
    p.add_argument("--student-seconds", type=float, metavar="S",
                   help="wall clock for one student, everything included (default 600)")
    p.add_argument("--kernel-seconds", type=float, metavar="S",
                   help="the notebook's whole run for feedback (default 300)")
    p.add_argument("--disk-mb", type=int, metavar="MB", help="writable space of each jail (default 256)")
    p.add_argument("--memory-mb", type=int, metavar="MB",
                   help="address space of each jailed process (default 4096)")
    p.set_defaults(func=_grade)
    hub.add_command(sub)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's own SQLAlchemy notices
    warnings.filterwarnings("ignore", message=".*not in session.*")
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError, SecretError) as exc:  # SandboxUnavailable, HubError too
        print(f"rnncourse: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
