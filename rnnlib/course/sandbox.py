"""Run student code contained: bubblewrap, an unprivileged user, and resource limits.

A :class:`Jail` describes one student's sandbox: a private working folder (the only
writable place besides a fresh /tmp), read-only views of the system, the Python
installation and the virtual environment, no network (a new network namespace with
nothing in it), a new PID namespace, and limits on memory, CPU time, processes,
file size and open files (``prlimit``). Student code runs as its own unprivileged
user (``setpriv``), because ``RLIMIT_NPROC`` does not bind root.

Two things run in jails: the notebook's kernel, through the kernelspec
``rnncourse-sandbox`` whose command is ``python -m rnnlib.course.sandbox kernel
{connection_file}`` (this module's :func:`kernel_main`), and the out-of-process
runner (:mod:`rnnlib.course.runner`), which gets no view of rnnlib at all.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field

KERNEL_NAME = "rnncourse-sandbox"
JOB_ENV = "RNNCOURSE_JAIL"  # the kernel wrapper reads its jail from this variable


@dataclass
class Limits:
    memory_bytes: int = 4 * 1024**3  # address space
    cpu_seconds: int = 300
    processes: int = 96  # threads count too
    file_bytes: int = 64 * 1024**2
    open_files: int = 256


@dataclass
class Jail:
    workdir: str  # writable, the student's own folder
    uid: int = 61000
    limits: Limits = field(default_factory=Limits)
    readonly: list = field(default_factory=list)  # extra host paths visible read-only
    writable: list = field(default_factory=list)  # extra host paths visible read-write

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


def bwrap_path():
    return shutil.which("bwrap")


def available():
    """Whether bubblewrap is installed and can make a sandbox here (a reason if not)."""
    if bwrap_path() is None:
        return False, "bubblewrap is not installed (Debian package 'bubblewrap')"
    if os.geteuid() != 0 and shutil.which("setpriv") is None:
        return False, "setpriv is missing"
    probe = subprocess.run([bwrap_path(), "--ro-bind", "/", "/", "--unshare-net", "--", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return False, f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:200]}"
    return True, ""


def _python_paths():
    """The host folders a Python of this environment needs: the base install and the venv."""
    paths = {pathlib.Path(sys.base_prefix).resolve(), pathlib.Path(sys.prefix).resolve()}
    exe = pathlib.Path(sys.executable)
    paths.add(exe.resolve().parent.parent)
    return sorted(str(p) for p in paths)


def _ancestors(path):
    p = pathlib.Path(path)
    return [str(a) for a in reversed(p.parents) if str(a) != "/"]


def command(jail, argv):
    """The full command line that runs ``argv`` inside ``jail``."""
    cmd = [bwrap_path(), "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            cmd += ["--ro-bind", target, target]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/tmp"}

    def mkdirs(path):  # bwrap makes missing parents 0700: make them traversable first
        for a in _ancestors(path):
            if a not in made and not a.startswith(("/usr/", "/etc/", "/proc/", "/dev/")):
                cmd.extend(["--perms", "0755", "--dir", a])
                made.add(a)

    for path in _python_paths() + list(jail.readonly):
        mkdirs(path)
        cmd += ["--ro-bind", path, path]
    for path in [jail.workdir] + list(jail.writable):
        mkdirs(path)
        cmd += ["--bind", path, path]
    env = {"HOME": jail.workdir, "PATH": f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin",
           "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": os.path.join(jail.workdir, ".matplotlib"), "LANG": "C.UTF-8"}
    cmd += ["--clearenv"]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    cmd += ["--chdir", jail.workdir, "--"]
    lim = jail.limits
    cmd += ["setpriv", f"--reuid={jail.uid}", f"--regid={jail.uid}", "--clear-groups", "--"]
    cmd += ["prlimit", f"--as={lim.memory_bytes}", f"--cpu={lim.cpu_seconds}",
            f"--nproc={lim.processes}", f"--fsize={lim.file_bytes}", f"--nofile={lim.open_files}",
            "--core=0", "--"]
    return cmd + list(argv)


def hand_over(path, uid):
    """Give the jail's user ownership of its folder (recursively)."""
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, uid)
        for name in files:
            os.chown(os.path.join(root, name), uid, uid)


def install_kernelspec(jupyter_dir):
    """Write the sandboxed kernelspec into ``jupyter_dir/kernels`` (add it to JUPYTER_PATH)."""
    folder = pathlib.Path(jupyter_dir) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "rnnlib.course.sandbox", "kernel", "{connection_file}"],
            "display_name": "Python 3 (sandboxed grading)", "language": "python",
            "metadata": {"debugger": False}}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def kernel_main(connection_file):
    """Start ipykernel inside the jail described by the environment (the kernelspec's command)."""
    jail = Jail.from_json(os.environ[JOB_ENV])
    with open(connection_file) as f:
        info = json.load(f)
    os.chmod(connection_file, 0o644)  # readable by the jail's user; the file itself is bound
    jail.readonly = list(jail.readonly) + [os.path.abspath(connection_file)]
    if info.get("transport") == "ipc":
        jail.writable = list(jail.writable) + [os.path.dirname(os.path.abspath(info["ip"]))]
    cwd = os.getcwd()  # the notebook's folder: the student's own copy
    if cwd != jail.workdir:
        jail.writable = list(jail.writable) + [cwd]
        hand_over(cwd, jail.uid)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", os.path.abspath(connection_file),
            "--HistoryManager.enabled=False"]
    cmd = command(jail, argv)
    cmd[cmd.index("--chdir") + 1] = cwd
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "kernel":
        kernel_main(sys.argv[2])
    else:
        sys.exit("usage: python -m rnnlib.course.sandbox kernel CONNECTION_FILE")
