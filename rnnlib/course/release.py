"""``rnncourse release``: generate exercises/ from solutions/ with nbgrader."""

from __future__ import annotations

import json
import pathlib
import shutil
import tempfile

from .config import RELEASE, SOURCE
from .nbapi import api, run, venv_on_path


def assignments(root, names=None):
    """The assignment names under solutions/ (all, or those asked for, checked)."""
    available = sorted(p.name for p in (pathlib.Path(root) / SOURCE).iterdir()
                       if p.is_dir() and not p.name.startswith("."))
    if not names:
        return available
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"assignment: unknown {', '.join(unknown)}; expected one of {', '.join(available)}")
    return list(names)


def generate(root, names, release_root, work):
    """Run nbgrader generate_assignment for ``names`` into ``release_root``."""
    nb = api(root, release=str(release_root), work=work)
    with venv_on_path():
        for name in names:
            run(nb.generate_assignment(name, force=True, create=True), f"generate_assignment {name}")


def _normalised(path):
    return json.loads(pathlib.Path(path).read_text())


def stale(root, names):
    """Assignments whose committed student version differs from a fresh generation."""
    root = pathlib.Path(root)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        generate(root, names, pathlib.Path(tmp) / "release", pathlib.Path(tmp) / "work")
        for name in names:
            fresh = pathlib.Path(tmp) / "release" / name
            committed = root / RELEASE / name
            fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
            committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*")
                                     if p.is_file()) if committed.is_dir() else []
            if fresh_files != committed_files or any(
                    (_normalised(fresh / f) if f.suffix == ".ipynb" else (fresh / f).read_bytes())
                    != (_normalised(committed / f) if f.suffix == ".ipynb" else (committed / f).read_bytes())
                    for f in fresh_files):
                out.append(name)
    return out


def release(root, names, work=None):
    """Regenerate exercises/<name>/ for each name (replacing what was there)."""
    root = pathlib.Path(root)
    with tempfile.TemporaryDirectory() as tmp:
        generate(root, names, pathlib.Path(tmp) / "release", work or pathlib.Path(tmp) / "work")
        for name in names:
            target = root / RELEASE / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(pathlib.Path(tmp) / "release" / name, target)
