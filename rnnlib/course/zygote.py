"""The first process of a jail: it imports what notebooks import once, then forks one
run of the runner for each request the grader sends.

It runs inside bubblewrap as root with two capabilities only (``CAP_SETUID`` and
``CAP_SETGID``; :mod:`rnnlib.course.lane` starts it), and never runs student code
itself. For each request it forks a child that takes the request's output pipe as its
standard output, closes everything else, sets the limits, becomes the jail's
unprivileged uid and runs :func:`runner.main`, exactly as a freshly started runner
would, but with NumPy, matplotlib, IPython and rnnlib already imported and one figure
already drawn. When the child ends, a helper running as that uid ends every process the
uid still has, deletes every file it left in the jail's writable places, removes its IPC
objects and checks that nothing of it is left; only then does the reply go back, so the
next run in this jail starts from the state the first one did. A helper that finds
anything left makes the zygote end, and with it the jail.

Requests arrive on standard input, a ``SOCK_SEQPACKET`` socket: a JSON message (a
nonce, the runner's plan) with one file descriptor attached, the write end of the
run's output pipe. The reply is ``{"nonce", "status", "clean"}``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import signal
import socket
import stat
import sys
import time

import runner  # /grader/runner.py, beside this file

HOME = "/home/student"
WRITABLE = (HOME, "/tmp", "/dev/shm")
LIMITS = {"memory": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "processes": resource.RLIMIT_NPROC,
          "file": resource.RLIMIT_FSIZE, "files": resource.RLIMIT_NOFILE, "core": resource.RLIMIT_CORE}


# what a parse of mathtext reads from matplotlib's settings beyond its arguments
MATHTEXT_RC = ("mathtext.fontset", "mathtext.fallback", "mathtext.default", "mathtext.rm", "mathtext.it",
               "mathtext.bf", "mathtext.bfit", "mathtext.sf", "mathtext.tt", "mathtext.cal")
LOG_LABELS = range(-30, 31)  # the exponents of log-axis labels parsed before any run


def share_mathtext(size=1024):
    """One cache of parsed mathtext for all of a process's renderers. matplotlib keeps
    one per renderer, and every figure (and every print of it) has renderers of its own,
    so a log axis's labels (``10^k``, each about 7 ms) were parsed again for every figure
    of every run. A parse depends only on its arguments, the parser's output type and
    the mathtext settings, which together are the key here."""
    import functools

    import matplotlib
    from matplotlib import mathtext

    parse = mathtext.MathTextParser._parse_cached.__wrapped__
    parsers = {}

    @functools.lru_cache(size)
    def cached(output_type, settings, s, dpi, prop, antialiased, load_glyph_flags):
        return parse(parsers[output_type], s, dpi, prop, antialiased, load_glyph_flags)

    def _parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
        parsers.setdefault(self._output_type, self)
        settings = tuple(matplotlib.rcParams.get(k) for k in MATHTEXT_RC)
        return cached(self._output_type, settings, s, dpi, prop, antialiased, load_glyph_flags)

    mathtext.MathTextParser._parse_cached = _parse_cached


def warm():
    """Import what the notebooks and the runner import (never ``rnnlib.checks``: each
    run puts its own stand-in in its place), and draw one figure with the parts that
    cost most the first time (log axes, mathtext, a legend, tight layout), then close
    it; parse the labels of log axes from 10^-30 to 10^30 at the tick labels' sizes."""
    import hmac  # noqa: F401 - these two for the checks' stand-in, which each run makes
    import secrets  # noqa: F401

    import IPython.core.application  # noqa: F401 - the runner's shell is made in each run,
    import IPython.core.completer  # noqa: F401   and making it imports these
    import IPython.core.completerlib  # noqa: F401
    import IPython.core.crashhandler  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401
    import IPython.core.logger  # noqa: F401
    import IPython.core.magics  # noqa: F401
    import IPython.core.oinspect  # noqa: F401
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy
    import numpy.random  # noqa: F401
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    import rnnlib  # noqa: F401
    import rnnlib.plots.lstm  # noqa: F401
    from rnnlib.backend import array_namespace

    array_namespace(numpy.zeros(1))  # array_api_compat's NumPy namespace: it imports most of NumPy (0.07 s)
    share_mathtext()
    renderer = RendererAgg(1, 1, matplotlib.rcParams["figure.dpi"])
    for size in {FontProperties(size=matplotlib.rcParams[f"{a}tick.labelsize"]).get_size() for a in "xy"}:
        for k in LOG_LABELS:
            renderer.get_text_width_height_descent(rf"$\mathdefault{{10^{{{k}}}}}$", FontProperties(size=size),
                                                   ismath=True)

    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.plot([1, 10, 100], label="a")
    left.set_yscale("log")
    left.set_xlabel("t")
    left.legend()
    right.imshow([[0.0, 1.0], [1.0, 0.0]])
    right.set_title("b")
    fig.tight_layout()
    fig.canvas.draw()
    plt.close("all")


def become(uid, limits):
    """In a child: a session of its own, the limits, then the jail's uid (no capabilities left)."""
    os.setsid()
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (value, value))
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    os.chdir(HOME)


def _child(plan, out, uid, limits):
    """The forked run: the pipe as standard output, the control socket closed, then the runner."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)  # in place of the control socket
        os.dup2(out, 1)
        os.dup2(null, 2)
        os.close(out)
        os.close(null)  # what stays open is the zygote's own reading: font files
        become(uid, limits)
        runner.main(plan)
    finally:
        os._exit(0)


def _wipe(path, uid):
    """Delete ``path`` if ``uid`` owns it, and all below it (made searchable first)."""
    info = os.lstat(path)
    if info.st_uid != uid:
        return
    if stat.S_ISDIR(info.st_mode):
        os.chmod(path, 0o700)
        for name in os.listdir(path):
            _wipe(os.path.join(path, name), uid)
        os.rmdir(path)
    else:
        os.unlink(path)


def _left(uid):
    """Paths under the writable places that ``uid`` owns (their roots themselves excepted)."""
    found = []
    for top in WRITABLE:
        if not os.path.isdir(top):
            continue
        for folder, dirs, files in os.walk(top):
            for name in dirs + files:
                path = os.path.join(folder, name)
                if os.lstat(path).st_uid == uid:
                    found.append(path)
    return found


def _processes(uid):
    """The live processes of ``uid`` in the jail, this one excepted (a zombie has ended)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/status") as f:
                    fields = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
            except OSError:  # it ended meanwhile
                continue
            if int(fields.get("Uid", "-1 ").split()[0]) == uid and not fields.get("State", "").strip().startswith("Z"):
                found.append(int(name))
    return found


def clean(uid):
    """End every process of ``uid``, delete what it wrote, remove its IPC objects; True
    when nothing of it is left. Runs as ``uid`` in a helper, so a link it planted points
    only where that uid could write anyway."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.dup2(os.open(os.devnull, os.O_RDWR), 0)  # not the control socket
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            deadline = time.monotonic() + 10
            while _processes(uid):  # a fork bomb refills as it is killed: until none is left
                with contextlib.suppress(OSError):
                    os.kill(-1, signal.SIGKILL)  # every process this uid may signal but this one
                if time.monotonic() > deadline:
                    os._exit(1)
                time.sleep(0.002)
            for top in WRITABLE:
                if os.path.isdir(top):
                    if os.lstat(top).st_uid == uid:
                        os.chmod(top, 0o700)
                    for name in os.listdir(top):
                        _wipe(os.path.join(top, name), uid)
            ipcrm = "/usr/bin/ipcrm"  # SysV shared memory, semaphores and queues of the uid
            if os.path.exists(ipcrm):
                if os.fork() == 0:
                    os.execv(ipcrm, [ipcrm, "--all"])
                os.wait()
            code = 0 if not _left(uid) else 1
        except BaseException:  # noqa: BLE001 - anything unexpected: the jail is not reused
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _cpu():
    """CPU seconds of this process and of the children it waited for."""
    return sum(os.times()[:4])


def serve(control, uid, limits):
    """Fork one run per request on ``control`` until it closes or a run leaves something.
    Each reply says the CPU the jail spent on its own since the last (``cpu``: the
    zygote's start for the first run, then the cleanups), the run's not included."""
    spent = 0.0  # the first reply carries the zygote's start: Python, the imports, the figure
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 20, 1)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"nonce": request.get("nonce"), "status": None, "clean": True}).encode())
            continue
        before = _cpu()
        pid = os.fork()
        if pid == 0:
            _child(request["plan"], fds[0], uid, limits)
        os.close(fds[0])
        _, status = os.waitpid(pid, 0)
        after = _cpu()  # the run's CPU lies between before and after: the runner reports it itself
        tidy = clean(uid)
        now = _cpu()
        control.send(json.dumps({"nonce": request.get("nonce"), "status": status, "clean": tidy,
                                 "cpu": round(before - spent + now - after, 4)}).encode())
        spent = now
        if not tidy:
            return


def main(config):
    control = socket.socket(fileno=0)
    os.dup2(os.open(os.devnull, os.O_RDWR), 1)
    runner._matplotlib_cache(config.get("matplotlib_cache"))  # into MPLCONFIGDIR, root's: runs only read it
    if config.get("warm"):
        try:
            warm()
        except Exception:  # noqa: BLE001 - a run then imports for itself, as in a cold jail
            pass
        finally:
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")
    gc.freeze()  # what the imports made is never walked by a run's collector (nor copied for it)
    serve(control, int(config["uid"]), {k: int(v) for k, v in config["limits"].items()})


if __name__ == "__main__":
    sys.stderr = open(os.devnull, "w")
    main(json.loads(sys.argv[1]))
    os._exit(0)
