"""Thin helpers around nbgrader's API: one place that knows how to drive it."""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import sys

from .config import make_config


@contextlib.contextmanager
def venv_on_path():
    """nbgrader creates a new gradebook by calling ``alembic`` from PATH: put the
    running interpreter's bin folder first."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{old}"
    try:
        yield
    finally:
        os.environ["PATH"] = old


def api(root, **kwargs):
    """An ``NbGraderAPI`` for the course at ``root`` with the course's settings."""
    from nbgrader.apps.api import NbGraderAPI

    quiet = logging.getLogger("rnncourse.nbgrader")
    quiet.setLevel(logging.ERROR)
    return NbGraderAPI(config=make_config(root, **kwargs), log=quiet)


def run(result, what):
    """Raise with nbgrader's own log when an API call failed."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "no details").strip().splitlines()
        raise RuntimeError(f"{what} failed: " + " | ".join(detail[-3:]))
    return result
