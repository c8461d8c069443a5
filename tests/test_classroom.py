"""The classroom loop on a real JupyterHub, as a class lives it.

`rnncourse hub` sets up three local Unix accounts (two students, one instructor), the
class environment, nbgrader's exchange and the instructor's course; the real JupyterHub
runs with the real configurable-http-proxy (npm) on 127.0.0.1, and Playwright drives
Debian's Chromium (/usr/bin/chromium; never a downloaded browser) through it:

1. the instructor releases 02-unrolling (nbgrader's CLI in the course folder) and sees it
   in the formgrader, in a tab of its own;
2. student A logs in, fetches it from nbgrader's Assignments panel, answers both graded
   functions correctly, validates (it passes) and submits;
3. student B answers with a named mistake (the bias left out of rnn_step_forward),
   validates (it fails), submits, then submits again with rnn_forward answered;
4. the instructor collects: both notebooks are in the course's submitted folder, B's the
   later one;
5. student A can read neither B's home, nor the exchange's submissions, nor the
   instructor's course, nor the repository (closed by `rnncourse hub`), nor B's server;
6. root runs `rnncourse grade 02-unrolling` in the course folder with the class
   environment: the scores and sentences land in the course's gradebook;
7. the instructor gives points for a written answer in the formgrader's grading page;
8. the instructor generates and releases feedback; each student fetches it in the
   Assignments tab and sees their own score and sentences, and nobody else's;
9. the grades go out in the layout Canvas's gradebook import takes, one row per student.

Needs root (it creates and removes the accounts), useradd, configurable-http-proxy and
Chromium; skips with the reason where one is missing (under RNNLIB_REQUIRE_ALL=1, a
failure). Screenshots of each step go to _build/screenshots/classroom/NN-step.png, the
hub's log to _build/screenshots/classroom/hub.log.

The steps share the module-scoped fixture ``classroom`` (its ``plan``, ``as_instructor``,
``login``, ``shot`` and ``submitted``) and run in order.
"""

import contextlib
import dataclasses
import html
import http.client
import json
import os
import pathlib
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

import pytest

from rnnlib.course import hub

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
STUDENTS = ["rnnc-alice", "rnnc-bob"]
ALICE, BOB = STUDENTS
INSTRUCTOR = "rnnc-grader"
ASSIGNMENT = "02-unrolling"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"  # in a student's home, once fetched
SHOTS = ROOT / "_build" / "screenshots" / "classroom"
pytestmark = [pytest.mark.classroom, pytest.mark.requires_tool]


def _missing():
    """Why the classroom cannot run here, or None."""
    if os.geteuid() != 0:
        return "the classroom test creates Unix users and runs servers as them: run it as root"
    for tool, hint in (("useradd", "apt-get install passwd"), ("userdel", "apt-get install passwd"),
                       ("chpasswd", "apt-get install passwd"), ("runuser", "apt-get install util-linux"),
                       ("configurable-http-proxy", "npm install -g configurable-http-proxy")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed ({hint})"
    if not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def _free_ports(count=3):
    """A port P with P..P+count-1 all free (the hub uses P+1 and P+2 too)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + count > 65535:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for p in range(port, port + count):
                    s = stack.enter_context(socket.socket())
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free run of ports")


def _answers(path):
    """{grade_id: source} of a source notebook's answer cells (code and written), solution
    markers removed."""
    nb = json.loads(pathlib.Path(path).read_text())
    out = {}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            lines = "".join(cell["source"]).splitlines()
            out[meta["grade_id"]] = "\n".join(x for x in lines if x.strip() not in (
                "### BEGIN SOLUTION", "### END SOLUTION")) + "\n"
    return out


RIGHT = _answers(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
NO_BIAS = RIGHT["rnn_step_forward"].replace("h_prev @ Wh + b)", "h_prev @ Wh)")  # tests/mistakes/
CODE = ("rnn_step_forward", "rnn_forward")  # the autograded answers
WRITTEN = ("unrolling-work", "unrolling-memory")  # graded by hand


def _sources(nb):
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in nb["cells"]}


def _processes_of(uids):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid in uids:
                    yield int(entry)
            except FileNotFoundError:
                pass


@dataclasses.dataclass
class Classroom:
    plan: hub.Plan
    base: str  # http://127.0.0.1:PORT
    passwords: dict  # user -> password
    browser: object
    log: pathlib.Path  # the hub's log
    env_seconds: float  # `rnncourse hub --prepare-only`, class environment included
    submitted: dict = dataclasses.field(default_factory=dict)  # student -> {grade_id: source} collected
    _shots: int = 0

    @property
    def course(self):
        return self.plan.course()

    def as_instructor(self, *cmd, check=True, timeout=600):
        """``cmd`` as the instructor, with the course's settings, in the course folder."""
        env = hub.instructor_env(self.plan)
        done = subprocess.run(["runuser", "-u", self.plan.instructor, "--", "env", "-i",
                               *[f"{k}={v}" for k, v in env.items()], *cmd],
                              cwd=self.course, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} as {self.plan.instructor} failed ({done.returncode}):\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def login(self, user):
        """A new browser context logged in as ``user`` through the hub's login page; its
        page is on the user's JupyterLab."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.goto(f"{self.base}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", self.passwords[user])
        page.click("#login_submit")
        page.wait_for_url(re.compile(rf".*/user/{user}/lab.*"), timeout=180_000)  # spawn included
        page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
        return page

    def shot(self, page, name):
        self._shots += 1
        path = SHOTS / f"{self._shots:02d}-{name}.png"
        page.screenshot(path=str(path))
        return path

    # the user's own Jupyter server, with the browser's own session
    def api(self, page, user, method, path, body=None):
        xsrf = next(c["value"] for c in page.context.cookies()
                    if c["name"] == "_xsrf" and c["path"].startswith(f"/user/{user}"))
        return page.request.fetch(f"{self.base}/user/{user}/api/{path}", method=method,
                                  headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
                                  data=None if body is None else json.dumps(body))

    def write_answers(self, page, user, sources):
        """Put ``sources`` ({grade_id: code}) into the user's fetched notebook."""
        r = self.api(page, user, "GET", f"contents/{NOTEBOOK}?content=1")
        assert r.status == 200, r.text()
        nb = r.json()["content"]
        done = set()
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in sources:
                cell["source"], done = sources[gid], done | {gid}
        assert done == set(sources), f"no answer cell for {set(sources) - done}"
        r = self.api(page, user, "PUT", f"contents/{NOTEBOOK}", {"type": "notebook", "format": "json", "content": nb})
        assert r.status == 200, r.text()

    def run_code(self, page, user, code, timeout=60):
        """Run ``code`` in a new kernel of the user's server, from the browser (the kernel's
        websocket, as JupyterLab talks to it); return what it printed."""
        r = self.api(page, user, "POST", "kernels", {"name": "python3"})
        assert r.status == 201, r.text()
        kernel = r.json()["id"]
        try:
            return page.evaluate("""async ([url, code, timeout]) => new Promise((resolve, reject) => {
                const ws = new WebSocket(url), id = crypto.randomUUID(), out = [];
                const timer = setTimeout(() => { ws.close(); reject(new Error('kernel timeout: ' + out.join(''))); },
                                         timeout * 1000);
                ws.onerror = (e) => reject(new Error('websocket error'));
                ws.onopen = () => ws.send(JSON.stringify({
                    header: {msg_id: id, msg_type: 'execute_request', username: '', session: id,
                             date: new Date().toISOString(), version: '5.3'},
                    parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
                    content: {code, silent: false, store_history: false, user_expressions: {},
                              allow_stdin: false, stop_on_error: true}}));
                ws.onmessage = (event) => {
                    const msg = JSON.parse(event.data);
                    if (msg.parent_header.msg_id !== id) return;
                    if (msg.msg_type === 'stream') out.push(msg.content.text);
                    if (msg.msg_type === 'error') out.push(msg.content.ename + ': ' + msg.content.evalue);
                    if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') {
                        clearTimeout(timer); ws.close(); resolve(out.join(''));
                    }
                };
            })""", [f"{self.base.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kernel}/channels",
                    code, timeout])
        finally:
            self.api(page, user, "DELETE", f"kernels/{kernel}")


def _wait_hub(url, proc, log, timeout=120):
    host_port = url.split("//")[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the hub exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            conn = http.client.HTTPConnection(*host_port.split(":"), timeout=2)
            conn.request("GET", "/hub/login")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the hub did not answer on {url}/hub/login in {timeout}s:\n{log.read_text()[-4000:]}")


def _stop(proc, plan, uids):
    """The hub (its process group), the proxy and every process of the class's users."""
    if proc is not None and proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the users' servers and the proxy
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    pidfile = plan.state / "jupyterhub-proxy.pid"
    if pidfile.is_file():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = list(_processes_of(uids))
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while pids and time.monotonic() < deadline and list(_processes_of(uids)):
            time.sleep(0.2)


@pytest.fixture(scope="module")
def classroom():
    reason = _missing()
    if reason:
        pytest.skip(f"classroom: {reason}")
    users = [INSTRUCTOR, *STUDENTS]
    for user in users:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            pytest.fail(f"user {user} exists (left by an interrupted run?): remove it with userdel -r {user}")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    log = SHOTS / "hub.log"
    # the state folder must be reachable by the users: not under pytest's 0700 tmp folder
    top = pathlib.Path(tempfile.mkdtemp(prefix="rnncourse-test-", dir="/srv" if os.path.isdir("/srv") else "/var/tmp"))
    os.chmod(top, 0o755)
    port = _free_ports()
    plan = hub.Plan(ROOT, top / "state", STUDENTS, INSTRUCTOR, port=port)
    repo_mode = stat.S_IMODE(os.stat(ROOT).st_mode)  # `rnncourse hub` closes the repository
    args = ["hub", "--students", ",".join(STUDENTS), "--instructor", INSTRUCTOR,
            "--state", str(plan.state), "--port", str(port)]
    proc, uids = None, set()
    try:
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "rnnlib.course.cli", *args, "--prepare-only"], cwd=ROOT,
                              capture_output=True, text=True, timeout=1200)
        env_seconds = time.monotonic() - start
        uids = {pwd.getpwnam(u).pw_uid for u in users if _exists(u)}
        assert done.returncode == 0, f"rnncourse hub --prepare-only failed:\n{done.stdout}\n{done.stderr}"
        assert uids and len(uids) == len(users)
        print(f"\nclassroom: rnncourse hub --prepare-only took {env_seconds:.0f}s (class environment included)")
        assert stat.S_IMODE(os.stat(ROOT).st_mode) & 0o077 == 0, "the repository was not closed"
        passwords = {u: secrets.token_urlsafe(12) for u in users}
        subprocess.run(["chpasswd"], input="".join(f"{u}:{pw}\n" for u, pw in passwords.items()),
                       text=True, check=True, capture_output=True)
        with open(log, "w") as out:  # `rnncourse hub` itself: prepares again (quick), then runs the hub
            proc = subprocess.Popen([sys.executable, "-m", "rnnlib.course.cli", *args], cwd=ROOT,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        _wait_hub(base, proc, log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                yield Classroom(plan, base, passwords, browser, log, env_seconds)
            finally:
                browser.close()
    finally:
        _stop(proc, plan, uids)
        for user in users:
            if _exists(user):
                subprocess.run(["userdel", "-r", user], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)
        os.chmod(ROOT, repo_mode)


def _exists(user):
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


# ------------------------------------------------------------- the steps ----

def _open_assignments(page):
    """nbgrader's Assignments panel, from JupyterLab's Nbgrader menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-item", has_text="Assignment List").click()
    page.locator("#nbgrader-assignment-list").wait_for()
    page.locator("#released_assignments_list_loading").wait_for(state="hidden")
    page.locator("#fetched_assignments_list_loading").wait_for(state="hidden")
    page.locator("#submitted_assignments_list_loading").wait_for(state="hidden")


def _validate(classroom, page, user, passes):
    """Open the fetched notebook afresh, click nbgrader's Validate in its toolbar, close the answer."""
    page.goto(f"{classroom.base}/user/{user}/lab/tree/{NOTEBOOK}")
    page.locator(".jp-NotebookPanel jp-button.validate-button").wait_for()
    page.locator(".jp-NotebookPanel jp-button.validate-button").click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
    dialog.wait_for(timeout=120_000)
    classroom.shot(page, f"{user}-validate-{'passes' if passes else 'fails'}")
    text = dialog.inner_text()
    expected = ".nbgrader-SuccessDialog .validation-success" if passes else ".nbgrader-ErrorDialog .validation-failed"
    assert page.locator(expected).count() == 1, f"{user}: expected {expected}, the dialog says:\n{text}"
    dialog.locator("button.jp-Dialog-button").click()
    return text


def _fetch(classroom, page, user):
    from playwright.sync_api import expect

    _open_assignments(page)
    released = page.locator("#released_assignments_list > .list_item", has_text=ASSIGNMENT)
    expect(released).to_have_count(1)
    classroom.shot(page, f"{user}-assignments")
    released.locator(".item_status button", has_text="Fetch").click()
    expect(page.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT)).to_have_count(1)
    classroom.shot(page, f"{user}-fetched")


def _submit(classroom, page, user, times):
    """Submit from the Assignments panel; ``times``: how many submissions there are then."""
    from playwright.sync_api import expect

    _open_assignments(page)
    page.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT).locator(
        ".item_status button", has_text="Submit").click()
    # the submitted list: a heading row, then one row per submission
    rows = page.locator("#submitted_assignments_list > .list_item", has_text=ASSIGNMENT)
    expect(rows).to_have_count(1)
    expect(rows.locator("[id$='-submissions'] > .list_item")).to_have_count(times + 1)
    classroom.shot(page, f"{user}-submitted-{times}")


def test_1_instructor_releases(classroom):
    classroom.as_instructor("nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    classroom.as_instructor("nbgrader", "release_assignment", ASSIGNMENT)
    released = classroom.plan.exchange / hub.COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert released.is_file()
    assert "### BEGIN SOLUTION" not in released.read_text() and "raise NotImplementedError" in released.read_text()
    # the formgrader, in a tab of its own (the hub refuses to frame it)
    page = classroom.login(INSTRUCTOR)
    r = page.goto(f"{classroom.base}/user/{INSTRUCTOR}/formgrader")
    assert r.status == 200
    row = page.locator("tr", has_text=ASSIGNMENT)
    row.wait_for()
    assert "released" in row.inner_text()
    classroom.shot(page, "instructor-formgrader")
    page.context.close()


def test_2_student_a_fetches_answers_validates_submits(classroom):
    page = classroom.login(ALICE)
    _fetch(classroom, page, ALICE)
    answers = {k: RIGHT[k] for k in CODE + WRITTEN}  # everything, right
    classroom.write_answers(page, ALICE, answers)
    _validate(classroom, page, ALICE, passes=True)
    _submit(classroom, page, ALICE, times=1)
    classroom.submitted[ALICE] = answers
    page.context.close()


def test_3_student_b_submits_a_mistake_twice(classroom):
    assert "h = np.tanh(x @ Wx + h_prev @ Wh)" in NO_BIAS  # tests/mistakes/rnn_step_forward_no_bias.py
    assert "h = np.tanh(x @ Wx + h_prev @ Wh)" in (ROOT / "tests/mistakes/rnn_step_forward_no_bias.py").read_text()
    page = classroom.login(BOB)
    _fetch(classroom, page, BOB)
    first = {"rnn_step_forward": NO_BIAS}  # rnn_forward not answered yet
    classroom.write_answers(page, BOB, first)
    _validate(classroom, page, BOB, passes=False)
    _submit(classroom, page, BOB, times=1)
    time.sleep(1.1)  # nbgrader's submissions are told apart by their timestamp
    second = {"rnn_step_forward": NO_BIAS, "rnn_forward": RIGHT["rnn_forward"],  # still no bias
              "unrolling-work": "Each step needs the state of the step before, so they run one after another.\n"}
    classroom.write_answers(page, BOB, second)
    _validate(classroom, page, BOB, passes=False)
    _submit(classroom, page, BOB, times=2)
    classroom.submitted[BOB] = second  # the later submission is the one nbgrader collects
    page.context.close()


def test_4_instructor_collects(classroom):
    assert set(classroom.submitted) == set(STUDENTS), "steps 2 and 3 did not both submit"
    done = classroom.as_instructor("nbgrader", "collect", ASSIGNMENT)
    submitted = classroom.course / "course-work" / "submitted"
    for student, answers in classroom.submitted.items():
        path = submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert path.is_file(), f"{path} was not collected:\n{done.stderr[-2000:]}"
        assert (path.parent / "timestamp.txt").is_file()
        cells = _sources(json.loads(path.read_text()))
        for gid in CODE + WRITTEN:
            expected = answers.get(gid)
            if expected is None:  # left as released
                assert "raise NotImplementedError" in cells[gid] or "YOUR ANSWER HERE" in cells[gid], (student, gid)
            else:
                assert cells[gid].strip() == expected.strip(), (student, gid, cells[gid])
    # B submitted twice: the exchange holds both, the course the later one
    inbound = sorted(p.name for p in (classroom.plan.exchange / hub.COURSE_ID / "inbound").iterdir()
                     if p.name.startswith(f"{BOB}+{ASSIGNMENT}+"))
    assert len(inbound) == 2, inbound
    timestamps = sorted((classroom.plan.exchange / hub.COURSE_ID / "inbound" / n / "timestamp.txt").read_text().strip()
                        for n in inbound)
    collected = (submitted / BOB / ASSIGNMENT / "timestamp.txt").read_text().strip()
    assert collected == timestamps[-1] != timestamps[0]


def test_5_students_are_isolated(classroom):
    page = classroom.login(ALICE)
    # another student's server: the hub refuses
    r = page.goto(f"{classroom.base}/user/{BOB}/lab")
    assert r.status == 403, r.status
    classroom.shot(page, "alice-refused-bob-server")
    r = page.request.get(f"{classroom.base}/user/{BOB}/api/contents")
    assert r.status == 403, (r.status, r.text()[:200])
    r = page.request.get(f"{classroom.base}/user/{INSTRUCTOR}/formgrader")
    assert r.status == 403, r.status
    # her own server: no formgrader, nothing outside her home through the contents API
    assert page.request.get(f"{classroom.base}/user/{ALICE}/formgrader").status == 404
    for path in (f"../{BOB}", f"..%2F{BOB}", f"../{INSTRUCTOR}/{hub.COURSE_FOLDER}"):
        r = classroom.api(page, ALICE, "GET", f"contents/{path}")
        assert r.status in (400, 403, 404), (path, r.status, r.text()[:200])
    # her own code, in her own kernel: Unix permissions keep her out
    exchange = classroom.plan.exchange / hub.COURSE_ID
    probes = {
        "own home": pwd.getpwnam(ALICE).pw_dir,
        "B's home": pwd.getpwnam(BOB).pw_dir,
        "B's notebook": f"{pwd.getpwnam(BOB).pw_dir}/{NOTEBOOK}",
        "the submissions": str(exchange / "inbound"),
        "the instructor's course": str(classroom.course),
        "the collected notebooks": str(classroom.course / "course-work" / "submitted" / BOB),
        "the solutions": str(ROOT / "solutions"),
        "the repository": str(ROOT),
        "the released assignment": str(exchange / "outbound" / ASSIGNMENT),
    }
    code = ("import json, os\nout = {}\n"
            f"for name, path in {probes!r}.items():\n"
            "    try:\n"
            "        open(path).read(1) if os.path.isfile(path) else os.listdir(path)\n"
            "        out[name] = 'read'\n"
            "    except PermissionError:\n"
            "        out[name] = 'denied'\n"
            "    except OSError as e:\n"
            "        out[name] = type(e).__name__\n"
            "print(json.dumps(out))\n")
    seen = json.loads(classroom.run_code(page, ALICE, code))
    assert seen == {name: "read" if name in ("own home", "the released assignment") else "denied"
                    for name in probes}, seen
    # (nbgrader leaves each submission readable by all, under a name with a random part
    # in the inbound folder, which nobody but the instructor can list: the name is the key)
    page.context.close()


# ------------------------------------------------- grading and feedback -----

def _grade_as_root(classroom):
    """`rnncourse grade` as the README says: root, in the course folder, with the class
    environment's rnncourse (the repository is closed to the instructor) and its settings."""
    plan = classroom.plan
    env = {"PATH": f"{plan.env / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
           "JUPYTER_CONFIG_PATH": str(plan.config_dir("instructor")),
           "RNNCOURSE_SECRET": "classroom-test-secret"}  # leaves no secret file in root's home
    return subprocess.run([str(plan.env / "bin" / "rnncourse"), "grade", ASSIGNMENT], cwd=classroom.course,
                          env=env, capture_output=True, text=True, timeout=900)


def _gradebook(classroom):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{classroom.course / 'course-work' / 'gradebook.db'}", hub.COURSE_ID)


def test_6_root_grades_into_the_course_gradebook(classroom):
    assert (classroom.course / "course-work" / "submitted" / BOB).is_dir(), "step 4 did not collect"
    done = _grade_as_root(classroom)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 submission(s) in the course's gradebook" in done.stdout, done.stdout
    out = classroom.course / "course-work" / "rnncourse" / ASSIGNMENT
    owner = pwd.getpwnam(INSTRUCTOR).pw_uid
    assert all(p.lstat().st_uid == owner for p in [out, *out.rglob("*")]), "the results are the instructor's"
    with _gradebook(classroom) as gb:
        alice, bob = (gb.find_submission(ASSIGNMENT, s) for s in (ALICE, BOB))
        assert alice.code_score == 7.0 and bob.code_score == 0.0, (alice.code_score, bob.code_score)
        sentence = html.unescape(gb.find_comment("rnn_step_forward", ASSIGNMENT, ASSIGNMENT, BOB).manual_comment)
        assert "leaves out the bias b" in sentence, sentence
        assert alice.needs_manual_grade, "the written answers wait for the instructor"


def test_7_instructor_grades_a_written_answer_in_the_formgrader(classroom):
    with _gradebook(classroom) as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, ALICE).id
    page = classroom.login(INSTRUCTOR)
    page.goto(f"{classroom.base}/user/{INSTRUCTOR}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    page.locator("tr", has_text="Submission #").first.wait_for()
    classroom.shot(page, "instructor-submissions")
    page.goto(f"{classroom.base}/user/{INSTRUCTOR}/formgrader/submissions/{submission}")
    score = page.locator("input.score#unrolling-work")
    score.wait_for()
    from playwright.sync_api import expect

    # the grader's sentence is the comment of the function's cell (the page fills it in once loaded)
    expect(page.locator("textarea.comment#rnn_step_forward-comment")).to_have_value("Passed the grader's checks.")
    score.fill("2")
    score.press("Tab")  # the formgrader saves a score when its field loses focus
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with _gradebook(classroom) as gb:
            if gb.find_grade("unrolling-work", ASSIGNMENT, ASSIGNMENT, ALICE).manual_score == 2.0:
                break
        time.sleep(0.5)
    else:
        pytest.fail("the formgrader did not save the written answer's points")
    classroom.shot(page, "instructor-grades-written-answer")
    page.context.close()
    with _gradebook(classroom) as gb:
        assert gb.find_submission(ASSIGNMENT, ALICE).score == 9.0


def _feedback(classroom, user):
    """The student fetches feedback in the Assignments tab, opens it; returns its text."""
    from playwright.sync_api import expect

    page = classroom.login(user)
    _open_assignments(page)
    row = page.locator("#submitted_assignments_list > .list_item", has_text=ASSIGNMENT)
    row.locator("button", has_text="Fetch Feedback").click()
    link = row.locator("a", has_text="view feedback").first
    expect(link).to_be_visible(timeout=60_000)
    classroom.shot(page, f"{user}-feedback-fetched")
    link.click()  # nbgrader's link takes the file browser to the feedback's folder
    html_file = page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
    expect(html_file).to_be_visible()
    folder = page.locator(".jp-FileBrowser .jp-BreadCrumbs").inner_text()
    assert "feedback" in folder, folder
    classroom.shot(page, f"{user}-feedback-folder")
    r = classroom.api(page, user, "GET", f"contents/{ASSIGNMENT}/feedback")
    (stamp,) = [item["name"] for item in r.json()["content"]]  # one feedback, for the collected submission
    # the page itself, as JupyterLab's "Open in New Browser Tab" shows it
    view = page.context.new_page()
    view.goto(f"{classroom.base}/user/{user}/files/{ASSIGNMENT}/feedback/{stamp}/{ASSIGNMENT}.html")
    classroom.shot(view, f"{user}-feedback")
    text = " ".join(view.locator("body").inner_text().split())
    view.close()
    return page, text


def test_8_feedback_returns_to_each_student_alone(classroom):
    classroom.as_instructor("nbgrader", "generate_feedback", ASSIGNMENT)
    classroom.as_instructor("nbgrader", "release_feedback", ASSIGNMENT)
    page, text = _feedback(classroom, ALICE)
    assert "Passed the grader's checks." in text and "9.0 / 10.0" in text, text[:1500]
    # one student's feedback is theirs alone: not the other's, not the exchange's listing
    probes = {"B's feedback": f"{pwd.getpwnam(BOB).pw_dir}/{ASSIGNMENT}/feedback",
              "the feedback folder": str(classroom.plan.exchange / hub.COURSE_ID / "feedback")}
    code = ("import json, os\nout = {}\n"
            f"for name, path in {probes!r}.items():\n"
            "    try:\n"
            "        os.listdir(path)\n"
            "        out[name] = 'read'\n"
            "    except OSError as e:\n"
            "        out[name] = type(e).__name__\n"
            "print(json.dumps(out))\n")
    seen = json.loads(classroom.run_code(page, ALICE, code))
    assert seen == {name: "PermissionError" for name in probes}, seen
    page.context.close()
    page, text = _feedback(classroom, BOB)
    assert "leaves out the bias b" in text and "0.0 / 10.0" in text, text[:1500]
    page.context.close()


def test_9_grades_go_out_in_the_lms_layout(classroom):
    export = classroom.course / "canvas.csv"
    classroom.as_instructor("nbgrader", "export", "--exporter=rnnlib.course.lms.CanvasExportPlugin", f"--to={export}")
    import csv

    with open(export) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    column = header.index(next(h for h in header if h.startswith(ASSIGNMENT)))
    scores = {r[3]: float(r[column]) for r in body if r[3] in STUDENTS}
    assert scores == {ALICE: 9.0, BOB: 0.0} and len([r for r in body if r[3] in STUDENTS]) == 2, rows
