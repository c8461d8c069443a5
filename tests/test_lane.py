"""Lanes: one bubblewrap jail kept up for runs one after another (``rnnlib.course.lane``).

Its first process (``rnnlib/course/zygote.py``) imports what notebooks import once and
forks each run as the jail's unprivileged uid; between runs it ends that uid's
processes and deletes what it wrote. These tests start real jails (root and bubblewrap)
and check what a run can see of the runs before it: warm imports, and nothing else.
"""

import os
import pathlib
import shutil

import nbformat
import pytest

from rnnlib.course import outside, sandbox
from rnnlib.course.grading import GradingLimits
from rnnlib.course.lane import Lane

pytestmark = pytest.mark.requires_tool

STEP = ("import numpy as np\n\ndef rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
        "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n    return h, (x, h_prev, Wx, Wh, h)\n")

# a run that leaves all it can behind: files in every writable place, a process that
# outlives it (it would write a file later), a SysV shared-memory segment
LITTER = '''import ctypes, os, subprocess, sys
open(os.path.expanduser("~/litter-home.txt"), "w").write("from the last student")
os.makedirs("/tmp/litter-dir/er", exist_ok=True)
open("/tmp/litter-dir/er/litter.txt", "w").write("x")
os.chmod("/tmp/litter-dir/er", 0)
if os.access("/dev/shm", os.W_OK):
    open("/dev/shm/litter", "w").write("x")
libc = ctypes.CDLL(None)
print("shm", libc.shmget(0x5eed, 4096, 0o1666))
subprocess.Popen([sys.executable, "-c", "import time, os; time.sleep(3); open(os.path.expanduser('~/litter-late.txt'), 'w')"],
                 start_new_session=True)
'''

# what a run sees: its uid, capabilities, imports done before its first cell, and
# every trace of an earlier run
LOOK = '''import ctypes, gc, os, sys, time
time.sleep(0.2)
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print("uid", os.getuid(), os.geteuid(), "caps", status["CapEff"].strip(), status["CapPrm"].strip())
print("warm", "matplotlib.pyplot" in sys.modules and "rnnlib" in sys.modules)
print("frozen", gc.get_freeze_count() > 10000)
print("stdin", os.readlink("/proc/self/fd/0"))
left = [os.path.join(d, f) for top in ("/tmp", os.path.expanduser("~"), "/dev/shm") if os.path.isdir(top)
        for d, ds, fs in os.walk(top) for f in fs + ds if f.startswith("litter")]
print("left", sorted(left))
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()
          and os.stat("/proc/" + p).st_uid == os.getuid()]
print("others", others)
print("shm", ctypes.CDLL(None).shmget(0x5eed, 0, 0))
'''


@pytest.fixture
def lane(tmp_path):
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(why)
    os.chmod(tmp_path, 0o755)
    jobs = tmp_path / "jobs"
    jobs.mkdir(mode=0o755)
    with sandbox.UidPool().claim() as uid:
        one = Lane(GradingLimits().jail(uid), jobs)
        yield one
        one.stop()


def _run(lane, sources, name="job", **kwargs):
    job = lane.jobs / name
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    try:
        return outside.run("a", cells, ["rnn_step_forward"], "secret", "student", job, lane, outputs=True,
                           **kwargs)
    finally:
        shutil.rmtree(job, ignore_errors=True)


def _lines(done, cell):
    return "".join(o.get("text", "") for o in done.outputs[cell][1]).splitlines()


def test_a_run_starts_warm_and_finds_nothing_of_the_run_before(lane):
    first = _run(lane, [STEP, LITTER])
    assert first.status == "graded" and first.verdicts["rnn_step_forward"].passed
    assert _lines(first, 1)[0].split()[1] != "-1", "the first run made its segment"
    jail = lane.pid
    second = _run(lane, [STEP, LOOK])
    assert lane.pid == jail, "the same jail ran both"
    assert second.verdicts["rnn_step_forward"].passed
    seen = dict(line.split(" ", 1) for line in _lines(second, 1))
    uid = lane.jail.uid
    assert seen["uid"] == f"{uid} {uid} caps 0000000000000000 0000000000000000", "no root, no capability"
    assert seen["warm"] == "True", "NumPy, matplotlib and rnnlib were imported before the first cell"
    assert seen["frozen"] == "True", "the zygote's objects are out of the run's garbage collector's way"
    assert seen["stdin"] == "/dev/null", "the zygote's socket is not the run's"
    assert seen["left"] == "[]", "no file of the earlier run in home, /tmp or /dev/shm"
    assert seen["others"] == "[]", "no process of the earlier run"
    assert seen["shm"] == "-1", "no shared-memory segment of the earlier run"
    pathlib.Path(lane.jobs).rmdir()  # and the lane wrote nothing into its job folder


def test_a_run_that_floods_the_pipe_ends_the_jail_and_the_rerun_gets_a_fresh_one(lane):
    _run(lane, [STEP, "print('ready')"])
    first = lane.pid
    flood = ("import os\nfor fd in map(int, os.listdir('/proc/self/fd')):\n"  # the frames' pipe, past max_bytes
             "    if fd > 2 and os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:'):\n"
             "        os.write(fd, b'x' * (3 * 1024 * 1024))\n")
    done = _run(lane, [STEP, flood, LOOK], max_bytes=2 * 1024 * 1024)
    assert lane.pid is not None and lane.pid != first, "the flooded jail was ended, the rerun had a new one"
    assert done.verdicts["rnn_step_forward"].passed, "the rerun skipped the flooding cell"
    seen = dict(line.split(" ", 1) for line in _lines(done, 2))
    assert seen["warm"] == "True" and seen["others"] == "[]" and seen["left"] == "[]"
