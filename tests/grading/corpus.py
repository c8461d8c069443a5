"""The corpus of bad submissions: every way we could think of to get points without the work.

Each case turns the solution of 02-unrolling (rnn_step_forward: 3 points, rnn_forward: 4
points, 7 autograded in all) into a submission folder, and says what the grader must
give it: the score, the status, and optionally a phrase its feedback must contain and a
file that must not exist afterwards. Cases are generated, not stored, so each stays a
few readable lines.
"""

import copy
import json
import pathlib

ASSIGNMENT = "02-unrolling"
ROOT = pathlib.Path(__file__).resolve().parents[2]
SOLUTION = json.loads((ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())

STEP_NO_BIAS = '''def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh)
    return h, (x, h_prev, Wx, Wh, h)
'''
FORWARD_NO_CARRY = '''def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    for t in range(T):
        h[:, t], _ = rnn_step_forward(x[:, t], h0, Wx, Wh, b)
    return h, []
'''


def _cell(source, cell_type="code"):
    cell = {"cell_type": cell_type, "metadata": {}, "source": source}
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _answer(nb, name):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == name)


def solution():
    return copy.deepcopy(SOLUTION)


def with_answer(nb, name, source):
    _answer(nb, name)["source"] = source
    return nb


def wrong():
    """Both functions wrong, in plain NumPy: worth 0 when graded honestly."""
    return with_answer(with_answer(solution(), "rnn_step_forward", STEP_NO_BIAS), "rnn_forward", FORWARD_NO_CARRY)


def insert(nb, source, at=2):
    nb["cells"].insert(at, _cell(source))
    return nb


def append(nb, source):
    nb["cells"].append(_cell(source))
    return nb


CASES = {}


def case(name, score, status="graded", feedback=None, absent=None):
    def register(build):
        CASES[name] = dict(build=build, score=score, status=status, feedback=feedback, absent=absent)
        return build
    return register


# -- forging a pass from inside the notebook ---------------------------------------
@case("monkeypatch-np-testing", 0)
def _():
    return insert(wrong(), "np.testing.assert_allclose = lambda *a, **k: None\nnp.allclose = lambda *a, **k: True\n")


@case("monkeypatch-checks", 0, feedback="a check was tampered with")
def _():
    return insert(wrong(), "import rnnlib.checks as _c\nfor _n in list(vars(_c)):\n"
                           "    if _n.startswith('check_'):\n        setattr(_c, _n, lambda *a, **k: None)\n")


@case("monkeypatch-numpy-tanh", 0)
def _():
    return insert(wrong(), "import numpy\n_real = numpy.tanh\nnumpy.tanh = lambda a: _real(a)\n"
                           "import rnnlib.checks.compare as _cmp\n_cmp.close = lambda *a, **k: True\n")


@case("input-transformer", 0, feedback="a check was tampered with")
def _():
    return insert(wrong(), "ip = get_ipython()\n"
                           "ip.input_transformers_cleanup.append(lambda lines: ['pass\\n'] if any('check_' in l for l in lines) else lines)\n")


@case("event-hook", 0)
def _():
    return insert(wrong(), "ip = get_ipython()\n"
                           "def _hush(result):\n    result.error_in_exec = None\n"
                           "ip.events.register('post_run_cell', _hush)\n")


@case("custom-exception-handler", 0)
def _():
    return insert(wrong(), "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n")


@case("forged-results-file", 0)
def _():
    return insert(wrong(), "import os, json\nos.makedirs('results', exist_ok=True)\n"
                           "json.dump({'t': 'dict', 'items': [['missing', {'t': 'bool', 'v': False}]]},"
                           " open('results/rnn_forward.json', 'w'))\n")


# -- stopping the grader -----------------------------------------------------------
@case("sys-exit", 7)
def _():
    return append(solution(), "import sys\nsys.exit(0)\n")


@case("os-exit", 7)
def _():
    return append(solution(), "import os\nos._exit(0)\n")


@case("kill-parent", 7)
def _():
    return append(solution(), "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")


@case("kill-everything", 7)
def _():
    return append(solution(), "import os, signal\nos.kill(-1, signal.SIGKILL)\n")


@case("infinite-loop-cell", 7)
def _():
    return append(solution(), "while True:\n    pass\n")


@case("infinite-loop-function", 3, feedback="rnn_forward")
def _():
    return with_answer(solution(), "rnn_forward", "def rnn_forward(x, h0, Wx, Wh, b):\n    while True:\n        pass\n")


# -- delegation --------------------------------------------------------------------
@case("calls-reference", 0, feedback="hands the work to rnnlib")
def _():
    nb = with_answer(solution(), "rnn_step_forward",
                     "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n    import rnnlib\n"
                     "    return rnnlib.rnn_step_forward(x, h_prev, Wx, Wh, b)\n")
    return nb


@case("calls-reference-via-alias", 0, feedback="hands the work to rnnlib")
def _():
    nb = insert(solution(), "from rnnlib import rnn_step_forward as _ref\n")
    return with_answer(nb, "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                               "    return _ref(x, h_prev, Wx, Wh, b)\n")


@case("reads-reference-source", 0)
def _():
    nb = insert(solution(), "import os, sys\n_src = ''\n"
                            f"for _p in sys.path + ['{ROOT}']:\n"
                            "    _f = os.path.join(_p, 'rnnlib', 'rnn.py')\n"
                            "    if os.path.exists(_f):\n        _src = open(_f).read()\n"
                            "exec(_src.replace('from .', 'from rnnlib.'), globals())\n")
    return with_answer(nb, "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                               "    return globals()['rnn_step_forward'](x, h_prev, Wx, Wh, b)\n")


# -- looking where one should not ----------------------------------------------------
@case("reads-solutions", 7, feedback="nothing-found")
def _():
    return append(solution(), f"import glob, os\nfound = glob.glob('{ROOT}/solutions/**', recursive=True)"
                              f" + glob.glob('/tmp/**/solutions/**/*.ipynb', recursive=True)\n"
                              "found = [p for p in found if os.path.exists(p)]\n"
                              "print('nothing-found' if not found else 'LE' + 'AKED ' + ' '.join(found))\n")


@case("reads-gradebook", 7, feedback="nothing-found")
def _():
    return append(solution(), f"import glob, os\nfound = glob.glob('/tmp/**/gradebook.db', recursive=True) + glob.glob('{ROOT}/**/gradebook.db', recursive=True)\n"
                              "found = [p for p in found if os.path.exists(p)]\n"
                              "print('nothing-found' if not found else 'LE' + 'AKED ' + ' '.join(found))\n")


@case("reads-other-students", 7, feedback="nothing-found")
def _():
    return append(solution(), "import glob, os\nfound = [p for p in glob.glob('/tmp/**/*.ipynb', recursive=True) if '/other/' in p]\n"
                              "found = [p for p in found if os.path.exists(p)]\n"
                              "print('nothing-found' if not found else 'LE' + 'AKED ' + ' '.join(found))\n")


@case("writes-outside", 7, absent=ROOT / "PWNED-by-student")
def _():
    return append(solution(), f"for p in ['{ROOT}/PWNED-by-student', '/PWNED']:\n"
                              "    try:\n        open(p, 'w').write('x')\n    except OSError:\n        pass\n")


@case("opens-socket", 7, feedback="no-network")
def _():
    return append(solution(), "import socket\ntry:\n    socket.create_connection(('127.0.0.1', PORT), timeout=2)\n"
                              "    print('CONNECTED')\nexcept OSError:\n    print('no-network')\n")


# -- exhausting resources --------------------------------------------------------------
@case("allocates-10GB", 7)
def _():
    return append(solution(), "big = np.ones(10 * 1024**3 // 8)\n")


@case("process-bomb", 7)
def _():
    return append(solution(), "import subprocess, time\nprocs = []\nstart = time.time()\n"
                              "while len(procs) < 5000 and time.time() - start < 5:\n"
                              "    try:\n        procs.append(subprocess.Popen(['sleep', '3']))\n"
                              "    except OSError:\n        time.sleep(0.01)\n")


@case("prints-100MB", 7)
def _():
    return append(solution(), "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1024 * 1024))\n")


@case("writes-1GB-file", 7)
def _():
    return append(solution(), "with open('big.bin', 'wb') as f:\n    for _ in range(1024):\n"
                              "        f.write(b'0' * (1024 * 1024))\n")


# -- damaged notebooks -----------------------------------------------------------------
@case("deleted-test-cells", 7)
def _():
    nb = solution()
    nb["cells"] = [c for c in nb["cells"] if not c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    return nb


@case("duplicated-test-cell", 7)
def _():
    nb = solution()
    test = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_rnn_forward")
    nb["cells"].append(copy.deepcopy(test))
    return nb


@case("retyped-test-cell", 7)
def _():
    nb = solution()
    test = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_rnn_forward")
    test["cell_type"] = "markdown"
    test.pop("outputs", None)
    test.pop("execution_count", None)
    return nb


@case("edited-test-cells", 0)
def _():
    nb = wrong()
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("test_"):
            c["source"] = "pass\n"
    return nb


@case("stripped-metadata", 7)
def _():
    nb = solution()
    for c in nb["cells"]:
        c["metadata"] = {}
    return nb


@case("stripped-metadata-wrong", 0)
def _():
    nb = wrong()
    for c in nb["cells"]:
        c["metadata"] = {}
    return nb


# -- wrong results ---------------------------------------------------------------------
@case("nan-results", 0, feedback="contains NaN")
def _():
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    h = np.tanh(x @ Wx + h_prev @ Wh + b) * np.nan\n"
                                                       "    return h, None\n")


@case("inf-results", 0, feedback="contains inf")
def _():
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    h = np.tanh(x @ Wx + h_prev @ Wh + b) + np.inf\n"
                                                       "    return h, None\n")


# the list also reaches rnn_forward's caches (the next step's h_prev), so rnn_forward fails too
@case("list-instead-of-array", 0, feedback="not an array")
def _():
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n"
                                                       "    return h.tolist(), (x, h_prev, Wx, Wh, h)\n")


@case("wrong-dtype", 0, feedback="dtype int64")
def _():
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n"
                                                       "    return (1000 * h).astype(np.int64), None\n")


@case("named-mistake-in-numpy", 0, feedback="leaves out the bias b")
def _():
    return with_answer(solution(), "rnn_step_forward", STEP_NO_BIAS)


@case("hard-coded-public-answer", 0)
def _():
    import rnnlib
    from rnnlib.checks.specs import SPECS, case_args

    spec = SPECS["rnn_step_forward"]
    h = rnnlib.rnn_step_forward(*case_args(spec, 0, spec.public[0]))[0]
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       f"    return np.array({h.tolist()!r}), None\n")


@case("redefined-later-with-reference", 7)  # the answer cell's definition is the one graded
def _():
    return append(solution(), "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                              "    import rnnlib\n"
                              "    return rnnlib.rnn_step_forward(x, h_prev, Wx, Wh, b)\n")


@case("huge-output-array", 0)
def _():
    return with_answer(solution(), "rnn_step_forward", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    return np.zeros((20000, 20000)), None\n")


@case("correct-with-warnings", 7)
def _():
    return with_answer(solution(), "rnn_step_forward", "import warnings\n"
                                                       "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                       "    warnings.warn('just a warning')\n"
                                                       "    import sys; print('to stderr', file=sys.stderr)\n"
                                                       "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n"
                                                       "    return h, (x, h_prev, Wx, Wh, h)\n")


@case("correct", 7)
def _():
    return solution()


# -- not a notebook at all ---------------------------------------------------------------
INVALID_JSON = "invalid-json"
WRONG_NAME = "wrong-name"
EMPTY = "empty-folder"
RAW_CASES = {INVALID_JSON: (0, "invalid notebook"), WRONG_NAME: (0, "missing notebook"),
             EMPTY: (0, "missing notebook")}


def write_class(submitted, port, canary_dir="/nonexistent"):
    """Write every case as a student folder; return {student: expectation}."""
    expected = {}
    for name, spec in CASES.items():
        nb = spec["build"]()
        text = json.dumps(nb, indent=1).replace("PORT", str(port)).replace("CANARY_DIR", str(canary_dir))
        folder = pathlib.Path(submitted) / name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(text)
        expected[name] = spec
    folder = pathlib.Path(submitted) / INVALID_JSON / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [ this is not json')
    folder = pathlib.Path(submitted) / WRONG_NAME / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "my-homework.ipynb").write_text(json.dumps(solution()))
    (pathlib.Path(submitted) / EMPTY / ASSIGNMENT).mkdir(parents=True)
    for name, (score, status) in RAW_CASES.items():
        expected[name] = dict(score=score, status=status, feedback=None, absent=None)
    # a student whose folder is called "other", for the snooping cases to look for
    folder = pathlib.Path(submitted) / "other" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(solution()))
    expected["other"] = dict(score=7, status="graded", feedback=None, absent=None)
    expected.update(write_raw_cases(pathlib.Path(submitted), canary_dir))
    return expected


def _folder(submitted, name):
    folder = submitted / name / ASSIGNMENT
    folder.mkdir(parents=True)
    return folder


NON_UTF8 = __import__("os").fsdecode(b"caf\xe9-student")  # a name from a Windows archive: not UTF-8
RAW_NAMES = ["student-folder-is-a-link", "assignment-folder-is-a-link", "notebook-is-a-link",
             "notebook-is-a-fifo", "notebook-is-huge", "timestamp-is-a-link", "=HYPERLINK(1)", "dated",
             NON_UTF8, "saved-as-nbformat-3"]


def write_raw_cases(submitted, canary_dir):
    """Submissions that are not notebooks to run: links, FIFOs, odd names, odd files."""
    import os

    expected = {}
    notebook = f"{ASSIGNMENT}.ipynb"
    solutions = ROOT / "solutions"

    def expect(name, score, status, feedback=None):
        expected[name] = dict(score=score, status=status, feedback=feedback, absent=None)

    os.symlink(solutions, submitted / "student-folder-is-a-link")
    expect("student-folder-is-a-link", 0, "refused", "is a link")
    (submitted / "assignment-folder-is-a-link").mkdir()
    os.symlink(solutions / ASSIGNMENT, submitted / "assignment-folder-is-a-link" / ASSIGNMENT)
    expect("assignment-folder-is-a-link", 0, "refused", "is a link")
    os.symlink(solutions / ASSIGNMENT / notebook, _folder(submitted, "notebook-is-a-link") / notebook)
    expect("notebook-is-a-link", 0, "refused", "is a link")
    os.mkfifo(_folder(submitted, "notebook-is-a-fifo") / notebook)
    expect("notebook-is-a-fifo", 0, "refused", "not a regular file")
    with open(_folder(submitted, "notebook-is-huge") / notebook, "wb") as f:
        f.truncate(200 * 2**20)  # sparse: takes no disk, but its size is over the limit
    expect("notebook-is-huge", 0, "refused", "the limit is")
    folder = _folder(submitted, "timestamp-is-a-link")
    (folder / notebook).write_text(json.dumps(solution()))
    os.symlink(pathlib.Path(canary_dir) / "secret", folder / "timestamp.txt")
    expect("timestamp-is-a-link", 7, "graded", "timestamp.txt was ignored")
    folder = _folder(submitted, "=HYPERLINK(1)")
    (folder / notebook).write_text(json.dumps(solution()))
    (folder / "timestamp.txt").write_text('=HYPERLINK("http://example.invalid","click")')
    expect("=HYPERLINK(1)", 7, "graded", "does not hold a date")
    folder = _folder(submitted, "dated")
    (folder / notebook).write_text(json.dumps(solution()))
    (folder / "timestamp.txt").write_text("2026-11-30 23:59:58.123456 UTC\n")
    expect("dated", 7, "graded")
    latin1 = NON_UTF8
    folder = _folder(submitted, latin1)
    (folder / notebook).write_text(json.dumps(solution()))
    expect(latin1, 7, "graded")
    import nbformat

    folder = _folder(submitted, "saved-as-nbformat-3")
    (folder / notebook).write_text(nbformat.writes(nbformat3(), version=3))
    expect("saved-as-nbformat-3", 7, "graded")
    return expected


# -- reaching through the grader's doors (issue: root next to student-writable folders) ---
# CANARY_DIR is replaced by a root-owned folder of files the test checks afterwards
# (content, owner, mode); the secret used for the run lives there too.
PLANT = '''import os
names = ['plan.json', 'progress', 'runner.py', 'done', 'results', 'ipc', 'kernel', 'cases',
         '02-unrolling.ipynb', 'timestamp.txt', 'in.ipynb', 'feedback', '.bashrc']
for folder in [os.getcwd(), os.path.expanduser('~'), '/tmp', '/job', '/grader']:
    for n in names:
        for target in ['CANARY_DIR/secret', 'CANARY_DIR/rc']:
            try:
                p = os.path.join(folder, n)
                if os.path.lexists(p):
                    os.remove(p)
                os.symlink(target, p)
            except OSError:
                pass
for target in ['CANARY_DIR/secret', 'CANARY_DIR/rc', '/job/notebook.ipynb', '/grader/runner.py']:
    try:
        open(target, 'w').write('OWNED')
    except OSError:
        pass
'''


@case("plants-links-where-the-grader-writes", 7)
def _():
    return append(solution(), PLANT)


@case("plants-links-in-feedback-kernel", 7)
def _():
    return insert(solution(), PLANT, at=2)


@case("fifos-where-the-grader-reads", 7)
def _():
    return append(solution(), "import os\nfor n in ['progress', 'plan.json', 'done', '/tmp/progress']:\n"
                              "    try:\n        os.mkfifo(n)\n    except OSError:\n        pass\n")


@case("forged-frames-on-the-channel", 7)
def _():
    # garbage and a frame whose header claims a vast array with no data behind it
    return insert(solution(), "import os, struct, json\n"
                              "head = json.dumps({'tree': {'t': 'array', 'k': 0}, 'arrays': [['<f8', [2**20, 2**20]]]}).encode()\n"
                              "payload = struct.pack('<Q', len(head)) + head\n"
                              "for fd in range(3, 64):\n"
                              "    try:\n        os.write(fd, struct.pack('<4s8sQ', b'RNCF', b'result', len(payload)) + payload)\n"
                              "        os.write(fd, b'garbage' * 100)\n"
                              "    except OSError:\n        pass\n", at=2)


@case("forged-outputs-and-checks-on-the-channel", 7)
def _():
    # what a later cell "showed" (scripts) and a check's "results", written on every descriptor
    return insert(solution(), "import os, struct, json\n"
                              "shown = json.dumps({'cell': 4, 'count': 1, 'outputs': ["
                              "{'output_type': 'display_data', 'data': {'text/html': '<script>alert(1)</script>',"
                              " 'application/javascript': 'alert(2)', 'image/svg+xml': '<svg onload=alert(3)></svg>'}},"
                              " {'output_type': 'check', 'call': 1}]}).encode()\n"
                              "check = json.dumps({'tree': {'t': 'str', 'v': 'x'}, 'arrays': []}).encode()\n"
                              "check = struct.pack('<Q', len(check)) + check\n"
                              "for fd in range(3, 64):\n"
                              "    for kind, data in ((b'output', shown), (b'check', check)):\n"
                              "        try:\n            os.write(fd, struct.pack('<4s8sQ', b'RNCF', kind, len(data)) + data)\n"
                              "        except OSError:\n            pass\n", at=2)


@case("leaves-traps-for-the-next-student-in-its-lane", 7)
def _():
    # a jail serves students one after another: plant an IPython startup file, a module in
    # the home folder, and a process that waits for this run to end, then for 30 s kills
    # every process it may and writes forged outputs onto every pipe it can open; and
    # poison, in its own process, what every run of the lane starts from (the zygote's
    # shared mathtext cache, IPython's shell class): a run is a fork, so this must die with it
    trap = ("import json, os, struct, sys, time\n"
            "runner = int(sys.argv[1])\n"
            "while os.path.exists(f'/proc/{runner}'):\n    time.sleep(0.05)\n"
            "data = json.dumps({'cell': 1, 'count': 1, 'outputs': [{'output_type': 'stream', 'name': 'stdout',"
            " 'text': 'TRAP-SPRUNG'}]}).encode()\n"
            "frame = struct.pack('<4s8sQ', b'RNCF', b'output', len(data)) + data\n"
            "end = time.time() + 30\n"
            "while time.time() < end:\n"
            "    for pid in [p for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:\n"
            "        try:\n            fds = os.listdir(f'/proc/{pid}/fd')\n        except OSError:\n            continue\n"
            "        for fd in fds:\n"
            "            try:\n"
            "                if os.readlink(f'/proc/{pid}/fd/{fd}').startswith('pipe:'):\n"
            "                    w = os.open(f'/proc/{pid}/fd/{fd}', os.O_WRONLY | os.O_NONBLOCK)\n"
            "                    os.write(w, frame)\n                    os.close(w)\n"
            "            except OSError:\n                pass\n"
            "        try:\n            os.kill(int(pid), 9)\n        except OSError:\n            pass\n"
            "    time.sleep(0.05)\n")
    return insert(solution(), "import os, subprocess, sys\n"
                              "startup = os.path.join(os.environ.get('IPYTHONDIR', '/tmp/ipython'), 'profile_default', 'startup')\n"
                              "os.makedirs(startup, exist_ok=True)\n"
                              "open(os.path.join(startup, '00-trap.py'), 'w').write("
                              "\"print('TRAP-SPRUNG')\\nimport numpy\\nnumpy.tanh = lambda x: x\\n\")\n"
                              "open(os.path.expanduser('~/matplotlib.py'), 'w').write(\"print('TRAP-SPRUNG')\\n\")\n"
                              "import matplotlib.mathtext as _mt, IPython.core.interactiveshell as _ish\n"
                              "_parse, _run = _mt.MathTextParser._parse_cached, _ish.InteractiveShell.run_cell\n"
                              "def _poisoned_parse(self, *a):\n    print('TRAP-SPRUNG')\n    return _parse(self, *a)\n"
                              "def _poisoned_run(self, *a, **k):\n    print('TRAP-SPRUNG')\n    return _run(self, *a, **k)\n"
                              "_mt.MathTextParser._parse_cached = _poisoned_parse\n"
                              "_ish.InteractiveShell.run_cell = _poisoned_run\n"
                              f"subprocess.Popen([sys.executable, '-c', {trap!r}, str(os.getpid())], "
                              "start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, "
                              "stderr=subprocess.DEVNULL)\n", at=2)


@case("fills-the-disk", 7)
def _():
    return append(solution(), "import os\nfor folder in [os.getcwd(), '/tmp']:\n"
                              "    try:\n        with open(os.path.join(folder, 'fill'), 'wb') as f:\n"
                              "            for _ in range(4096):\n                f.write(b'0' * 2**20)\n"
                              "    except OSError:\n        pass\n"
                              "    for i in range(64):\n"
                              "        try:\n            open(os.path.join(folder, f'f{i}'), 'wb').write(b'0' * 2**22)\n"
                              "        except OSError:\n            break\n")


@case("script-in-markdown-and-errors", 3, feedback="rnn_forward raised ValueError")
def _():
    nb = insert(solution(), "<script>alert('md')</script><img src=x onerror=alert(1)> **bold**", at=1)
    nb["cells"][1]["cell_type"] = "markdown"
    nb["cells"][1].pop("outputs"), nb["cells"][1].pop("execution_count")
    nb = append(nb, "from IPython.display import HTML, Javascript\ndisplay(HTML(\"<script>alert('out')</script>\"))\n"
                    "display(Javascript(\"alert('js')\"))\n")
    return with_answer(nb, "rnn_forward", "def rnn_forward(x, h0, Wx, Wh, b):\n"
                                          "    raise ValueError(\"<script>alert('exc')</script>\")\n")


@case("slow-cells-use-up-the-kernel-budget", 7, feedback="used up its time budget")
def _():
    nb = solution()
    for _ in range(4):  # each under the 30 s a cell may take; together over the 60 s budget
        nb = append(nb, "import time\ntime.sleep(20)\n")
    return nb


# -- honest students whose notebooks work in Jupyter ------------------------------------
@case("uses-display-pinfo-and-shell", 7)
def _():
    nb = with_answer(solution(), "rnn_step_forward",
                     "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                     "    files = !ls /\n"
                     "    display(len(files))\n"
                     "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n"
                     "    return h, (x, h_prev, Wx, Wh, h)\n"
                     "np.tanh?\n%timeit -n1 -r1 np.zeros(3)\n")
    return nb


@case("scratch-cell-redefines-later", 7)
def _():
    nb = append(solution(), "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n    return None  # trying something\n")
    return append(nb, "def rnn_forward(*args):\n    raise NotImplementedError\n")


@case("docstring-mentions-rnnlib", 0, feedback="leaves out the bias b")
def _():
    return with_answer(wrong(), "rnn_step_forward", 'def rnn_step_forward(x, h_prev, Wx, Wh, b):\n'
                                                    '    """Like rnnlib.rnn_step_forward, written by me."""\n'
                                                    '    h = np.tanh(x @ Wx + h_prev @ Wh)\n'
                                                    '    return h, (x, h_prev, Wx, Wh, h)\n')


def nbformat3():
    import nbformat

    nb = nbformat.reads(json.dumps(solution()), as_version=4)
    return nbformat.convert(nb, 3)
