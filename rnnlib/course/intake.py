"""A submission taken in as data: no link followed, only regular files read, all bounded.

``SUBMITTED_DIR`` comes from unpacking students' archives or from nbgrader's exchange,
so anything may be in it: links (to ``solutions/``, to the course secret), FIFOs,
devices, huge files, names that are not UTF-8. :func:`read` walks
``<student>/<assignment>/<notebook>`` one component at a time with ``O_NOFOLLOW``
relative to the folder above, checks each is what it should be (a real folder, a
regular file within the size limit) on the descriptor it then reads, and returns the
notebook as nbformat 4 (any version nbformat reads is accepted) or a status saying why
it was refused.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import os
import re
import stat
import warnings
from dataclasses import dataclass, field

TIMESTAMP_BYTES = 200
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?\s*(UTC|Z|[+-]\d{2}:?\d{2})?")


class Refused(Exception):
    def __init__(self, status, note):
        super().__init__(note)
        self.status, self.note = status, note


@dataclass
class Submission:
    status: str | None = None  # None when the notebook can be graded
    notes: list = field(default_factory=list)
    notebook: bytes = b""  # nbformat 4 JSON, as written by nbformat
    cells: list = field(default_factory=list)
    timestamp: str = ""  # normalised, or "" when absent or unreadable
    exchange_secret: str = ""  # nbgrader collect's submission_secret.txt (release_feedback needs it), or ""
    digest: str = ""  # sha256 of the submitted notebook's bytes


def _open(name, dir_fd, folder):
    """Open one path component below ``dir_fd``, refusing links and the unexpected."""
    try:
        info = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    what = "folder" if folder else "file"
    if stat.S_ISLNK(info.st_mode):
        raise Refused("refused", f"{name!r} is a link: links in submissions are not followed; "
                                 f"submit the {what} itself.")
    if folder and not stat.S_ISDIR(info.st_mode):
        raise Refused("refused", f"{name!r} is not a folder.")
    if not folder and not stat.S_ISREG(info.st_mode):
        raise Refused("refused", f"{name!r} is not a regular file (a FIFO, device or folder).")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_DIRECTORY if folder else 0)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Refused("refused", f"{name!r} changed while it was read.") from None
        raise
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        os.close(fd)
        raise Refused("refused", f"{name!r} changed while it was read.")
    return fd


def _read_bounded(fd, limit, name):
    size = os.fstat(fd).st_size
    if size > limit:
        raise Refused("refused", f"{name} is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB.")
    chunks, total = [], 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise Refused("refused", f"{name} is larger than the limit of {limit / 2**20:.0f} MB.")
        chunks.append(chunk)


def parse_timestamp(text):
    """nbgrader's timestamp format (``YYYY-MM-DD HH:MM:SS.ffffff UTC``) from what a
    student's ``timestamp.txt`` says, or "" when it is not a plain date and time."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        return ""
    day, clock, fraction, zone = match.groups()
    try:
        when = datetime.datetime.fromisoformat(f"{day} {clock}{fraction or ''}")
    except ValueError:
        return ""
    if zone and zone not in ("UTC", "Z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        when -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@contextlib.contextmanager
def _folder(submitted_dir, student, assignment):
    """The descriptor of ``<student>/<assignment>`` (None when absent)."""
    fds = []
    try:
        top = os.open(submitted_dir, os.O_RDONLY | os.O_DIRECTORY)
        fds.append(top)
        mine = _open(student, top, folder=True)
        if mine is None:
            yield None
            return
        fds.append(mine)
        work = _open(assignment, mine, folder=True)
        if work is not None:
            fds.append(work)
        yield work
    finally:
        for fd in reversed(fds):
            os.close(fd)


def read(submitted_dir, student, assignment, notebook, max_bytes):
    """The submission of ``student``, as a :class:`Submission`; never follows a link."""
    import nbformat

    sub = Submission()
    try:
        with _folder(submitted_dir, student, assignment) as folder:
            if folder is None:
                raise Refused("missing notebook", f"No {notebook} was found in {assignment}/.")
            try:
                stamp = _open("timestamp.txt", folder, folder=False)
            except Refused as why:
                stamp = None
                sub.notes.append(f"timestamp.txt was ignored: {why.note}")
            if stamp is not None:
                with contextlib.closing(_Fd(stamp)):
                    text = os.read(stamp, TIMESTAMP_BYTES).decode("utf-8", "replace")
                sub.timestamp = parse_timestamp(text)
                if not sub.timestamp:
                    sub.notes.append("timestamp.txt does not hold a date and time; it was ignored.")
            with contextlib.suppress(Refused):  # absent outside nbgrader's exchange; a token or nothing
                secret = _open("submission_secret.txt", folder, folder=False)
                if secret is not None:
                    with contextlib.closing(_Fd(secret)):
                        text = os.read(secret, TIMESTAMP_BYTES).decode("ascii", "replace").strip()
                    sub.exchange_secret = text if re.fullmatch(r"[A-Za-z0-9_-]{1,128}", text) else ""
            fd = _open(notebook, folder, folder=False)
            if fd is None:
                raise Refused("missing notebook", f"No {notebook} was found in {assignment}/.")
            with contextlib.closing(_Fd(fd)):
                data = _read_bounded(fd, max_bytes, notebook)
    except Refused as why:
        sub.status = why.status
        sub.notes.append(why.note)
        return sub
    sub.digest = hashlib.sha256(data).hexdigest()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
    except Exception:  # noqa: BLE001 - anything that is not a notebook
        sub.status = "invalid notebook"
        sub.notes.append(f"{notebook} is not a valid notebook (is it damaged JSON?).")
        return sub
    sub.notebook = nbformat.writes(nb).encode()
    sub.cells = list(nb.cells)
    return sub


def digest(submitted_dir, student, assignment, notebook, max_bytes):
    """The digest :func:`read` would give (``""`` for a submission it refuses)."""
    try:
        with _folder(submitted_dir, student, assignment) as folder:
            fd = _open(notebook, folder, folder=False) if folder is not None else None
            if fd is None:
                return ""
            with contextlib.closing(_Fd(fd)):
                return hashlib.sha256(_read_bounded(fd, max_bytes, notebook)).hexdigest()
    except (Refused, OSError):
        return ""


class _Fd:
    def __init__(self, fd):
        self.fd = fd

    def close(self):
        os.close(self.fd)
