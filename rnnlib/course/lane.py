"""A lane: one jail kept up for runs one after another, so that the notebooks' imports
are paid once per lane instead of once per student.

The jail is the same bubblewrap jail as a single run's (:func:`sandbox.command`), but its
first process is :mod:`rnnlib.course.zygote`, root inside with only ``CAP_SETUID`` and
``CAP_SETGID``, which imports NumPy, matplotlib, IPython and rnnlib once and forks each
run as the jail's unprivileged uid. Between two runs the zygote ends every process of
that uid and deletes everything it wrote, and a lane that cannot say so is thrown away.
The grader sends a run's plan and the write end of a fresh pipe over a socket; the run's
frames come back on that pipe, read up to a byte limit and a deadline as before. A run
that overruns or overflows kills the whole jail; the next run starts a new one.

``rnncourse grade`` keeps one lane per concurrent student, each with a uid claimed for
the whole grading run, and gives each student's worker the lane's socket. The jail
sees the lane's job folder (``/jobs``), which holds only the job of the student being
graded in it; a student graded in a lane is followed there by others only after the
cleanup above.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import secrets
import select
import signal
import socket
import subprocess
import time

from . import runner, sandbox

ZYGOTE = pathlib.Path(__file__).with_name("zygote.py")  # runs only inside a jail

JOBS = "/jobs"  # the lane's job folder, inside the jail
CLEANUP_SECONDS = 30  # after a run's output ends, for the zygote's reply


class Lane:
    """One jail whose zygote forks the runs: ``jail`` (a :class:`sandbox.Jail`: uid,
    limits, extra read-only folders), ``jobs`` (a folder of the grader's that the jail
    sees read-only at ``/jobs``; each run's job folder lies in it), and an optional
    prebuilt matplotlib font list. Started on the first run; :meth:`stop` ends it."""

    def __init__(self, jail, jobs, matplotlib_cache=None, warm=True):
        self.jail, self.jobs = jail, pathlib.Path(jobs)
        self.matplotlib_cache, self.warm = matplotlib_cache, warm
        self.control = None  # our end of the zygote's socket
        self.pid = None  # the jail's process group, which stop() kills
        self._proc = None  # the Popen, kept by the process that started the jail
        self._starts = 0

    def __getstate__(self):  # a worker gets the socket; the process stays its starter's
        return dict(self.__dict__, _proc=None)

    def inside(self, path):
        """Where ``path`` (in the job folder) lies inside the jail."""
        relative = pathlib.Path(path).resolve().relative_to(self.jobs.resolve())
        return str(pathlib.PurePosixPath(JOBS) / relative) if relative.parts else JOBS

    def start(self):
        package = pathlib.Path(runner.__file__).resolve().parents[1]  # rnnlib, for the notebook's own cells
        mounts = {str(self.jobs): JOBS, runner.__file__: "/grader/runner.py",
                  str(ZYGOTE): "/grader/zygote.py", str(package): str(package)}
        if self.matplotlib_cache:
            mounts[str(self.matplotlib_cache)] = "/grader/matplotlib"
        jail = dataclasses.replace(self.jail, readonly={**self.jail.readonly, **mounts})
        lim = jail.limits
        config = {"uid": jail.uid, "warm": self.warm,
                  "matplotlib_cache": "/grader/matplotlib" if self.matplotlib_cache else None,
                  "limits": {"memory": lim.memory_bytes, "cpu": lim.cpu_seconds, "processes": lim.processes,
                             "file": lim.file_bytes, "files": lim.open_files, "core": 0}}
        self._starts += 1
        scratch = self.jobs.parent / f"{self.jobs.name}.jail-{os.getpid()}-{self._starts}"
        scratch.mkdir(mode=0o700)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            cmd = sandbox.command(jail, [sandbox.PYTHON, "/grader/zygote.py", json.dumps(config)], scratch)
            self._proc = subprocess.Popen(cmd, stdin=theirs, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control, self.pid, self._scratch = ours, self._proc.pid, scratch

    def stop(self):
        """End the jail (every process in it) if it is up."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait()
            with contextlib.suppress(OSError):
                self._scratch.rmdir()  # an empty mount point: the tmpfs went with the jail
        if self.control is not None:
            self.control.close()
        self.control = self.pid = self._proc = None

    def owned(self):
        """Whether this process started the jail now up (and so must end it)."""
        return self._proc is not None

    def alive(self):
        """Whether the jail this process started is still up (a worker's copy: whether it has one)."""
        if self._proc is not None:
            return self._proc.poll() is None
        return self.control is not None

    def run(self, plan, timeout, max_bytes):
        """One run of the runner with ``plan``; a :class:`sandbox.Outcome`. A run that
        overran, overflowed or left the jail unclean ends the jail."""
        deadline = time.monotonic() + max(timeout, 0.1)
        nonce = secrets.token_hex(8)
        message = json.dumps({"nonce": nonce, "plan": plan}).encode()
        read, write = os.pipe()
        try:
            for _ in range(2):  # a jail that ended since its last run is started again, once
                if self.control is None or not self.alive():
                    self.stop()
                    self.start()
                try:
                    socket.send_fds(self.control, [message], [write])
                    break
                except OSError:
                    self.stop()
            else:
                return sandbox.Outcome(b"", False, False, None)
        finally:
            os.close(write)
        try:
            output, timed_out, overflow = sandbox.read(read, deadline, max_bytes)
        finally:
            os.close(read)
        reply = None if timed_out or overflow else self._reply(nonce, time.monotonic() + CLEANUP_SECONDS)
        if reply is None or reply.get("clean") is not True:
            self.stop()
        status, cpu = (reply.get("status"), reply.get("cpu")) if reply else (None, None)
        return sandbox.Outcome(output, timed_out, overflow, status if type(status) is int else None,
                               float(cpu) if type(cpu) in (int, float) and 0 <= cpu < 1e6 else 0.0)

    def _reply(self, nonce, deadline):
        """The zygote's reply to the run ``nonce`` (older replies skipped), or None."""
        while self.control is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.control], [], [], left)[0]:
                return None
            try:
                data = self.control.recv(1 << 16)
                reply = json.loads(data) if data else None
            except (OSError, ValueError):
                return None
            if not isinstance(reply, dict):
                return None
            if reply.get("nonce") == nonce:
                return reply
        return None
