"""``rnncourse hub``: a class on one server, on JupyterHub and nbgrader's exchange.

Everything here is set-up around existing tools; the running class is theirs:

- **users**: one local Unix account per student and one for the instructor
  (``useradd``; a new account gets a random password, written to
  ``STATE/new-passwords`` for root alone). JupyterHub logs them in with PAM and starts
  each one's server as that user (``LocalProcessSpawner``).
- **the class environment**: ``STATE/env``, a virtual environment on a Python that every
  user can run, with this project installed from the repository (not editable: the
  students' servers never read the repository, which holds the answers) and the
  ``classroom`` extra (JupyterHub, nbgrader and its lab extensions, JupyterLab,
  Notebook 7). It is rebuilt when the library or the project's metadata change.
- **the exchange**: nbgrader's folder for released, submitted and feedback files, made
  world-writable as nbgrader's documentation asks; nbgrader sets the permissions inside.
- **the course**: a copy of ``solutions/``, ``exercises/`` and ``nbgrader_config.py`` in
  the instructor's home (``~INSTRUCTOR/rnn-course``, mode 0700), where the instructor
  runs ``nbgrader`` and opens the formgrader. nbgrader reads the course folder's
  ``nbgrader_config.py`` last, over every other, so this class's exchange and gradebook
  are appended to that copy.
- **nbgrader's settings** for each role (``STATE/jupyter/student`` and
  ``STATE/jupyter/instructor``, on each server's ``JUPYTER_CONFIG_PATH``): the course
  id, the exchange and the gradebook for everybody; the students' servers have the
  formgrader and the assignment-creation tools turned off; nobody's JupyterLab asks to
  fetch news from the internet.
- **the hub**: ``jupyterhub -f deploy/jupyterhub_config.py``, which reads
  ``STATE/hub.json``; ``configurable-http-proxy`` (npm) is its proxy.

The formgrader is opened in its own browser tab, at ``/user/INSTRUCTOR/formgrader``
(nbgrader's advice for current JupyterHub, whose security headers refuse to let one
server's page frame another's).
"""

from __future__ import annotations

import dataclasses
import grp
import hashlib
import json
import os
import pathlib
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys

from .config import RELEASE, SOURCE

COURSE_ID = "rnn-textbook"
COURSE_FOLDER = "rnn-course"  # in the instructor's home
NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")  # what useradd accepts, conservatively
HUB_CONFIG = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub_config.py"


class HubError(RuntimeError):
    """The class cannot be set up as asked; the message says why and what to do."""


@dataclasses.dataclass
class Plan:
    """One class on one server."""

    root: pathlib.Path  # the repository
    state: pathlib.Path  # the hub's own folder (root's)
    students: list
    instructor: str
    ip: str = "127.0.0.1"
    port: int = 8000
    exchange: pathlib.Path | None = None  # default STATE/exchange
    db_url: str | None = None  # the course gradebook; default sqlite in the course
    python: str | None = None  # the interpreter the class environment is built on

    def __post_init__(self):
        self.root, self.state = pathlib.Path(self.root).resolve(), pathlib.Path(self.state).resolve()
        self.exchange = pathlib.Path(self.exchange or self.state / "exchange").resolve()
        for who in [*self.students, self.instructor]:
            if not NAME.match(who):
                raise HubError(f"user name {who!r}: expected lower-case letters, digits, '_' or '-', "
                               f"starting with a letter, at most 31 characters")
        if not self.students:
            raise HubError("--students: expected at least one student name")
        if self.instructor in self.students:
            raise HubError(f"--instructor {self.instructor!r} is also listed in --students")
        if len(set(self.students)) != len(self.students):
            raise HubError("--students: a name is listed twice")

    @property
    def env(self):
        return self.state / "env"

    def course(self):
        return pathlib.Path(pwd.getpwnam(self.instructor).pw_dir) / COURSE_FOLDER

    def config_dir(self, role):
        return self.state / "jupyter" / role


# ------------------------------------------------------------------ accounts ----

def ensure_users(plan):
    """Create the accounts that do not exist; return {name: password} for the new ones."""
    made = {}
    for who in [plan.instructor, *plan.students]:
        try:
            pwd.getpwnam(who)
            continue
        except KeyError:
            pass
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", who], check=True,
                       capture_output=True, text=True)
        password = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input=f"{who}:{password}\n", check=True, text=True, capture_output=True)
        made[who] = password
    for who in [plan.instructor, *plan.students]:
        os.chmod(pwd.getpwnam(who).pw_dir, 0o700)  # nobody reads another's work
    if made:
        path = plan.state / "new-passwords"
        old = path.read_text() if path.is_file() else ""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(old + "".join(f"{who}:{pw}\n" for who, pw in made.items()))
    return made


# ------------------------------------------------------- the class environment --

def _others_can_run(path):
    """Whether a user other than root can reach and read ``path`` (every folder above it
    traversable, the path itself readable by others)."""
    p = pathlib.Path(path).resolve()
    for folder in reversed(p.parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(p).st_mode & stat.S_IROTH)


def class_python(plan):
    """An interpreter that every user can run: the given one, this one's base, or Debian's."""
    candidates = [plan.python] if plan.python else [
        os.path.join(sys.base_prefix, "bin", f"python{sys.version_info.major}.{sys.version_info.minor}"),
        "/usr/bin/python3"]
    for exe in candidates:
        if exe and os.path.isfile(exe) and _others_can_run(exe):
            probe = subprocess.run([exe, "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
                                   capture_output=True, text=True)
            if probe.stdout.strip() == "True":
                return exe
    raise HubError("no Python 3.11+ with the venv module that other users can run: tried "
                   + ", ".join(c for c in candidates if c) + " (on Debian: apt-get install python3-venv; "
                   "or pass --python)")


def _fingerprint(root):
    """What the class environment is built from: the project's metadata and the library."""
    h = hashlib.sha256()
    for path in [root / "pyproject.toml", *sorted((root / "rnnlib").rglob("*"))]:
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def ensure_env(plan, log=print):
    """Build (or keep) ``STATE/env`` with the project and its classroom extra."""
    stamp = plan.env / ".rnncourse-built"
    mark = _fingerprint(plan.root)
    if stamp.is_file() and stamp.read_text() == mark:
        return plan.env
    python = class_python(plan)
    log(f"building the class environment in {plan.env} on {python} (a few minutes, once)")
    shutil.rmtree(plan.env, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(plan.env)], check=True)
    pip = [str(plan.env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    with _private_build_copy(plan.root) as source:
        done = subprocess.run(pip + [f"{source}[book,classroom]"], capture_output=True, text=True)
    if done.returncode != 0:
        raise HubError(f"installing the class environment failed: {done.stderr.strip()[-800:]}")
    for dirpath, dirnames, filenames in os.walk(plan.env):  # readable by every user
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                mode = os.lstat(p).st_mode
                os.chmod(p, mode | stat.S_IROTH | stat.S_IRGRP | (0o011 if mode & 0o100 else 0))
    stamp.write_text(mark)
    return plan.env


class _private_build_copy:
    """The project's files a wheel is built from (metadata, README, the library), copied
    to a temporary folder so that pip never writes into the repository."""

    def __init__(self, root):
        self.root = root

    def __enter__(self):
        import tempfile

        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="rnncourse-wheel-"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(self.root / name, self.tmp / name)
        shutil.copytree(self.root / "rnnlib", self.tmp / "rnnlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return self.tmp

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)


# ----------------------------------------------------------------- the course ---

def ensure_exchange(plan):
    plan.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(plan.exchange, 0o777)  # as nbgrader's documentation sets it: `chmod ugo+rw`
    for folder in plan.exchange.parents:
        if folder == pathlib.Path("/"):
            break
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IXOTH:
            raise HubError(f"the exchange {plan.exchange} is unreachable for students: {folder} is not "
                           f"traversable by other users (chmod o+x {folder}, or pass --exchange)")


def ensure_course(plan, log=print):
    """The instructor's copy of the course; sources are refreshed, work is kept."""
    course = plan.course()
    user = pwd.getpwnam(plan.instructor)
    fresh = not course.exists()
    course.mkdir(mode=0o700, exist_ok=True)
    for name in (SOURCE, RELEASE):
        target = course / name
        if not target.exists():
            shutil.copytree(plan.root / name, target, symlinks=False)
    # nbgrader reads the course folder's nbgrader_config.py last, over every other: the
    # course's settings, then this deployment's (the exchange, the gradebook)
    (course / "nbgrader_config.py").write_text(
        (plan.root / "nbgrader_config.py").read_text().rstrip("\n") + "\n\n"
        "# this class on this server: written by `rnncourse hub`, rewritten at each start\n"
        + "\n".join(_nbgrader_settings(plan)) + "\n")
    for dirpath, dirnames, filenames in os.walk(course):
        for name in [*dirnames, *filenames, "."]:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chown(p, user.pw_uid, user.pw_gid)
    os.chmod(course, 0o700)
    if fresh:
        log(f"course copied to {course} (the instructor's, mode 0700)")
    return course


def close_repository(plan, log=print):
    """The repository holds the answers (solutions/, the tests' simulated students, the
    history): on a shared server it is root's alone. Returns its mode before (to reopen it
    after the class, or after a test)."""
    mode = stat.S_IMODE(os.stat(plan.root).st_mode)
    if mode & 0o077:
        os.chmod(plan.root, mode & 0o700)
        log(f"{plan.root} closed to other users (mode 0700, was {mode:04o}): it holds the solutions; "
            f"after the class, chmod {mode:04o} {plan.root} reopens it")
    return mode


def _nbgrader_settings(plan):
    lines = ["c = get_config()  # noqa: F821",
             f"c.CourseDirectory.course_id = {COURSE_ID!r}",
             f"c.Exchange.root = {str(plan.exchange)!r}"]
    if plan.db_url:
        lines.append(f"c.CourseDirectory.db_url = {plan.db_url!r}")
    return lines


def write_role_configs(plan):
    """nbgrader's and Jupyter's settings for the students' and the instructor's servers."""
    student, instructor = plan.config_dir("student"), plan.config_dir("instructor")
    for folder in (student, instructor, student / "labconfig", instructor / "labconfig"):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o755)
    head = "# Written by `rnncourse hub`; rewritten at each start.\n"
    (student / "nbgrader_config.py").write_text(head + "\n".join(_nbgrader_settings(plan)) + "\n")
    course = plan.course()
    settings = _nbgrader_settings(plan)  # the course's own settings, then the deployment's
    (instructor / "nbgrader_config.py").write_text(head + "\n".join(settings[:1] + [
        "from rnnlib.course.config import configure",
        f"configure(c, {str(course)!r})"] + settings[1:]) + "\n")
    # students have no formgrader and no assignment-creation tools (nbgrader's advice)
    (student / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {
        "nbgrader.server_extensions.formgrader": False}}}, indent=1))
    # nobody is asked at first start whether JupyterLab may fetch news from the internet
    quiet = {"@jupyterlab/apputils-extension:announcements": True}
    (student / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True, **quiet}}, indent=1))
    (instructor / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": quiet}, indent=1))
    for path in (student / "nbgrader_config.py", instructor / "nbgrader_config.py",
                 student / "jupyter_server_config.json", student / "labconfig" / "page_config.json",
                 instructor / "labconfig" / "page_config.json"):
        os.chmod(path, 0o644)


def proxy_command():
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise HubError("configurable-http-proxy is not installed: npm install -g configurable-http-proxy "
                       "(JupyterHub's proxy, from the npm registry)")
    return found


def write_hub_settings(plan):
    settings = {
        "ip": plan.ip, "port": plan.port, "hub_port": plan.port + 1, "proxy_api_port": plan.port + 2,
        "state": str(plan.state), "env": str(plan.env),
        "students": plan.students, "instructor": plan.instructor, "proxy": proxy_command(),
        "config_path": {"student": str(plan.config_dir("student")),
                        "instructor": str(plan.config_dir("instructor"))},
    }
    path = plan.state / "hub.json"
    path.write_text(json.dumps(settings, indent=1))
    return path


def prepare(plan, log=print):
    """Everything the class needs, idempotent; returns the hub's command and environment."""
    if os.geteuid() != 0:
        raise HubError("rnncourse hub creates Unix users and starts their servers as them: run it as root")
    if not HUB_CONFIG.is_file():
        raise HubError(f"{HUB_CONFIG} is missing: run rnncourse hub from the repository")
    plan.state.mkdir(parents=True, exist_ok=True)
    os.chmod(plan.state, 0o755)
    for folder in plan.state.parents:  # the class environment and settings live here
        if folder != pathlib.Path("/") and not os.stat(folder).st_mode & stat.S_IXOTH:
            raise HubError(f"--state {plan.state}: {folder} is not traversable by other users; "
                           f"choose a state folder under one that is (e.g. /srv/rnncourse)")
    made = ensure_users(plan)
    if made:
        log(f"created {len(made)} account(s) ({', '.join(made)}); their passwords are in "
            f"{plan.state / 'new-passwords'} (root only)")
    ensure_env(plan, log)
    ensure_exchange(plan)
    ensure_course(plan, log)
    write_role_configs(plan)
    settings = write_hub_settings(plan)
    close_repository(plan, log)
    env = {**os.environ, "RNNCOURSE_HUB_SETTINGS": str(settings)}
    hub = shutil.which("jupyterhub", path=f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if hub is None:
        raise HubError("jupyterhub is not installed in this environment (pip install jupyterhub)")
    return [hub, "-f", str(HUB_CONFIG)], env


def serve(plan, log=print):
    """Prepare the class and run the hub in the foreground until it is stopped."""
    cmd, env = prepare(plan, log)
    log(f"JupyterHub for {len(plan.students)} student(s) and {plan.instructor} on http://{plan.ip}:{plan.port}/ "
        f"(formgrader: /user/{plan.instructor}/formgrader)")
    os.chdir(plan.state)
    os.execve(cmd[0], cmd, env)


def instructor_env(plan):
    """The environment in which the instructor's nbgrader commands see the course's settings."""
    user = pwd.getpwnam(plan.instructor)
    return {"HOME": user.pw_dir, "USER": plan.instructor, "LOGNAME": plan.instructor,
            "PATH": f"{plan.env / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": str(plan.config_dir("instructor"))}


def group_of(user):
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


# ----------------------------------------------------------------- the command --

def add_command(sub):
    """``rnncourse hub ...`` on the command's argument parser."""
    p = sub.add_parser("hub", help="run the class on this server: JupyterHub, nbgrader's exchange, accounts")
    p.add_argument("--students", required=True, metavar="NAMES", help="comma-separated user names")
    p.add_argument("--instructor", required=True, metavar="NAME")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000,
                   help="the hub's public port (default 8000; PORT+1 and PORT+2 are its internal API ports)")
    p.add_argument("--state", default="/srv/rnncourse", metavar="DIR",
                   help="the hub's folder: class environment, settings, hub database (default /srv/rnncourse)")
    p.add_argument("--exchange", metavar="DIR", help="nbgrader's exchange folder (default STATE/exchange)")
    p.add_argument("--db-url", metavar="URL", help="the course gradebook (default: SQLite in the course folder)")
    p.add_argument("--python", metavar="EXE", help="the Python the class environment is built on")
    p.add_argument("--prepare-only", action="store_true", help="set everything up, do not start the hub")
    p.set_defaults(func=_command)


def _command(args):
    from .config import find_root

    plan = Plan(find_root(), args.state, [s.strip() for s in args.students.split(",") if s.strip()],
                args.instructor.strip(), ip=args.ip, port=args.port, exchange=args.exchange,
                db_url=args.db_url, python=args.python)
    if args.prepare_only:
        cmd, _ = prepare(plan)
        print(f"ready: RNNCOURSE_HUB_SETTINGS={plan.state / 'hub.json'} {' '.join(cmd)}")
        return 0
    serve(plan)
    return 0
