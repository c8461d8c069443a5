"""Run student code contained: bubblewrap, an unprivileged user, and limits per student.

The trust boundary is the jail's edge, and nothing the grader touches lies inside it.
A :class:`Jail` sees the system, Python and the virtual environment read-only, the
folders the grader names read-only (the job: notebook, cases, runner), no network (a
new network namespace with only loopback), new PID, IPC and UTS namespaces. Its first
process is the grader's zygote (:mod:`rnnlib.course.zygote`, root with only the
capabilities to change users), which never runs student code: each run is a fork of it
that sets the limits (memory, CPU time, processes, file size, open files) and becomes
the jail's unprivileged uid before anything else. Its only writable places, ``HOME``
(``/home/student``, also the current folder) and ``/tmp``, are one tmpfs of
``Limits.disk_bytes`` mounted in a private mount namespace: it exists only while the
jail runs, the host never sees it, and nothing of it is left when the jail ends. What a
run has to say comes back on a pipe that :func:`read` reads up to a byte limit and a
deadline; the grader never opens a path a student could have written, so there is no
link to follow and no file to swap. A jail may serve runs one after another
(:mod:`rnnlib.course.lane`), cleaned between them.

Each jail has a uid of its own from :class:`UidPool` (lock files that every grading run
on the machine shares).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

PYTHON = os.path.normpath(sys.executable)  # as the jail sees it: no ".." through unmounted folders
UID_BASE = 61000
UID_COUNT = 4096
HOME = "/home/student"  # inside the jail; a host /home is never mounted there
LOCK_DIR = "/run/rnncourse"  # root-only: the uid locks every grading run shares


@dataclass
class Limits:
    memory_bytes: int = 4 * 1024**3  # address space of each process
    cpu_seconds: int = 300
    processes: int = 96  # threads count too
    file_bytes: int = 64 * 1024**2
    open_files: int = 256
    disk_bytes: int = 256 * 1024**2  # HOME and /tmp together, for the whole jail


@dataclass
class Jail:
    uid: int = UID_BASE
    limits: Limits = field(default_factory=Limits)
    readonly: dict = field(default_factory=dict)  # host path -> path inside the jail
    env: dict = field(default_factory=dict)  # extra environment variables


@dataclass
class Outcome:
    output: bytes  # what the jail wrote on its standard output (at most max_bytes)
    timed_out: bool
    overflow: bool  # it tried to write more than max_bytes
    returncode: int
    jail_cpu: float = 0.0  # CPU seconds of the jail's own (its zygote's start, the cleanup after a run)


def bwrap_path():
    return shutil.which("bwrap")


def available():
    """Whether bubblewrap is installed and can make a sandbox here (a reason if not)."""
    if bwrap_path() is None:
        return False, "bubblewrap is not installed (Debian package 'bubblewrap')"
    for tool in ("unshare", "mount"):
        if shutil.which(tool) is None:
            return False, f"{tool} is missing (Debian package 'util-linux')"
    if os.geteuid() != 0:
        return False, "the sandbox mounts a size-limited tmpfs and switches users: it needs root"
    probe = subprocess.run([bwrap_path(), "--ro-bind", "/", "/", "--unshare-net", "--", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return False, f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:200]}"
    return True, ""


def _python_paths():
    """The host folders a Python of this environment needs: the base install and the venv."""
    paths = {pathlib.Path(sys.base_prefix).resolve(), pathlib.Path(sys.prefix).resolve()}
    exe = pathlib.Path(PYTHON)
    paths.add(exe.resolve().parent.parent)
    return sorted(str(p) for p in paths)


def _ancestors(path):
    p = pathlib.Path(path)
    return [str(a) for a in reversed(p.parents) if str(a) != "/"]


# The tmpfs is mounted by root in a mount namespace of the jail's own (unshare), before
# bubblewrap starts: the host's mount table never has it, and it goes with the namespace.
_MOUNT = ('mount -t tmpfs -o "size=$1,mode=0755,nosuid,nodev" rnncourse "$2" && '
          'mkdir -m 1777 "$2/tmp" && mkdir -m 0700 "$2/work" && chown "$3:$3" "$2/work" && '
          'shift 3 && exec "$@"')


def command(jail, argv, scratch):
    """The full command line that runs ``argv`` inside ``jail``.

    ``scratch`` is an empty folder the grader made (root's, not the student's): the
    mount point of the jail's tmpfs, which only the jail's own mount namespace sees.
    ``argv`` is the grader's zygote (:mod:`rnnlib.course.zygote`): it runs as root with
    no capability but ``CAP_SETUID`` and ``CAP_SETGID``, never runs student code itself,
    and forks each run, which sets the jail's limits and becomes its uid first.
    """
    lim = jail.limits
    cmd = [shutil.which("unshare"), "--mount", "--propagation", "private", "--",
           "/bin/sh", "-c", _MOUNT, "sh", str(lim.disk_bytes), str(scratch), str(jail.uid)]
    cmd += [bwrap_path(), "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            cmd += ["--ro-bind", target, target]
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    made = set()

    def mkdirs(path):  # bwrap makes missing parents 0700: make them traversable first
        for a in _ancestors(path):
            if a not in made and not a.startswith(("/usr/", "/etc/", "/proc/", "/dev/")):
                cmd.extend(["--perms", "0755", "--dir", a])
                made.add(a)

    cmd += ["--bind", f"{scratch}/tmp", "/tmp"]
    mkdirs(HOME)
    cmd += ["--bind", f"{scratch}/work", HOME]
    made.add("/tmp")
    binds = [(p, p) for p in _python_paths()] + sorted(jail.readonly.items())
    for host, inside in binds:  # after /tmp: a venv under /tmp stays visible
        if inside in (HOME, "/tmp") or inside.startswith(HOME + "/"):
            raise ValueError(f"cannot mount {inside} in the jail: it would hide {HOME} or /tmp")
        mkdirs(inside)
        cmd += ["--ro-bind", str(host), str(inside)]
    env = {"HOME": HOME, "PATH": f"{pathlib.Path(PYTHON).parent}:/usr/bin:/bin",
           "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": "/tmp/matplotlib", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
           "IPYTHONDIR": "/tmp/ipython", "LANG": "C.UTF-8", **jail.env}
    cmd += ["--clearenv"]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    return cmd + ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                  "--chdir", "/", "--"] + list(argv)


def unjailed_env(**extra):
    """The environment of an unsandboxed run (``--unsafe-no-sandbox``): ours, less the secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RNNCOURSE_SECRET")}
    return {**env, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", **extra}


def run(cmd, timeout, max_bytes, env=None):
    """Run ``cmd``; read its standard output until it ends, ``timeout`` seconds pass, or it
    has written ``max_bytes``. Whatever happens, the process group is gone on return."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        output, timed_out, overflow = read(proc.stdout.fileno(), time.monotonic() + max(timeout, 0.1), max_bytes)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.wait()
    return Outcome(output, timed_out, overflow, proc.returncode)


def read(fd, deadline, max_bytes):
    """Read the pipe ``fd`` until it ends, the ``time.monotonic()`` ``deadline`` passes or
    ``max_bytes`` came; ``(data, timed_out, overflow)``."""
    chunks, size, timed_out, overflow = [], 0, False, False
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not selector.select(min(left, 1.0)):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            if size + len(chunk) > max_bytes:
                overflow = True
                chunks.append(chunk[:max_bytes - size])
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks), timed_out, overflow


class UidPool:
    """A uid for each student graded at the same time, on the whole machine.

    Each uid is claimed by an exclusive lock on ``LOCK_DIR/uid-N.lock`` held while the
    student is graded; the lock goes with the process that holds it, even if it is
    killed. Two grading runs at once therefore never share a uid.
    """

    def __init__(self, base=UID_BASE, count=UID_COUNT, folder=LOCK_DIR):
        self.base, self.count, self.folder = base, count, pathlib.Path(folder)

    @contextlib.contextmanager
    def claim(self):
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(self.folder)
        if not os.path.isdir(self.folder) or os.path.islink(self.folder) or info.st_uid != os.geteuid():
            raise RuntimeError(f"{self.folder} must be a folder owned by the grading user")
        os.chmod(self.folder, 0o700)
        for uid in range(self.base, self.base + self.count):
            fd = os.open(self.folder / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield uid
            finally:
                os.close(fd)
            return
        raise RuntimeError(f"all {self.count} grading uids are in use")
