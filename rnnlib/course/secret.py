"""The course secret behind the hidden cases: outside the course tree, and watched.

The secret is ``RNNCOURSE_SECRET`` when set, else the file ``RNNCOURSE_SECRET_FILE``
names, else ``$XDG_CONFIG_HOME/rnncourse/<course>-<folder hash>.secret`` (by default
under ``~/.config``). The file is made once, mode 0600 in a 0700 folder, and is refused
if it lies inside the course folder, is a link, is not the grader's own, or can be read
by others. It is never mounted in a jail. Its fingerprint (an HMAC of a fixed text, which
says nothing about the secret) is recorded in ``course-work/secret-fingerprint``; a
change between two grading runs is reported, since every hidden case changes with it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pathlib
import secrets
import stat
import tempfile

from .config import WORK


class SecretError(RuntimeError):
    """The secret cannot be used safely."""


def default_path(root):
    base = pathlib.Path(os.environ.get("XDG_CONFIG_HOME") or pathlib.Path.home() / ".config")
    tag = hashlib.sha256(str(pathlib.Path(root).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return base / "rnncourse" / f"rnn-textbook-{tag}.secret"


def _read(path):
    if os.path.islink(path):
        raise SecretError(f"the grading secret {path} is a link: name the file itself")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SecretError(f"the grading secret {path} is not a regular file")
        if info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise SecretError(f"the grading secret {path} must be yours and mode 0600 "
                              f"(it is owned by uid {info.st_uid}, mode {stat.S_IMODE(info.st_mode):o})")
        text = os.read(fd, 4096).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    if len(text) < 16:
        raise SecretError(f"the grading secret in {path} is shorter than 16 characters")
    return text


def _create(path):
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def course_secret(root):
    """``(secret, where)``: the secret and a description of where it came from."""
    if os.environ.get("RNNCOURSE_SECRET"):
        text = os.environ["RNNCOURSE_SECRET"]
        if len(text) < 16:
            raise SecretError("RNNCOURSE_SECRET must be at least 16 characters")
        return text, "RNNCOURSE_SECRET"
    path = pathlib.Path(os.environ.get("RNNCOURSE_SECRET_FILE") or default_path(root)).absolute()
    root = pathlib.Path(root).resolve()
    if path.resolve() == root or root in path.resolve().parents:
        raise SecretError(f"the grading secret {path} lies inside the course folder {root}: "
                          f"keep it outside (RNNCOURSE_SECRET_FILE names where)")
    if not os.path.lexists(path):
        _create(path)
    return _read(path), str(path)


def fingerprint(secret):
    """A short public mark of the secret: equal marks, equal secrets; it reveals nothing."""
    return hmac.new(secret.encode(), b"rnncourse secret fingerprint", hashlib.sha256).hexdigest()[:16]


def check_unchanged(root, secret):
    """Record the secret's fingerprint; return a warning if it differs from the last one."""
    work = pathlib.Path(root) / WORK
    work.mkdir(parents=True, exist_ok=True)
    record = work / "secret-fingerprint"
    mark = fingerprint(secret)
    previous = None
    if os.path.lexists(record):
        if record.is_symlink() or not record.is_file():
            raise SecretError(f"{record} must be a plain file")
        previous = record.read_text().strip()
    fd, tmp = tempfile.mkstemp(dir=work, prefix=".secret-fingerprint-")  # unique: runs may overlap
    with os.fdopen(fd, "w") as f:
        f.write(mark + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, record)
    if previous and previous != mark:
        return (f"the grading secret changed since the last grading run (fingerprint {previous} -> "
                f"{mark}): every hidden case differs from earlier grading. If you did not change "
                f"it, treat it as compromised.")
    return None
