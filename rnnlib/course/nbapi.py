"""Thin helpers around nbgrader's API: one place that knows how to drive it."""

from __future__ import annotations

import contextlib
import functools
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


@functools.cache
def alembic_head():
    """The revision nbgrader stamps a new gradebook with, from alembic's API. nbgrader
    asks for it by running ``alembic heads`` in a subprocess for every new gradebook,
    which took about 3 s (a Python start and alembic's imports) of each grading run's
    start, and once more in its rehearsal (:mod:`rnnlib.course.warm`); the answer only
    changes with nbgrader's version, so each process asks once."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


@functools.lru_cache(maxsize=64)
def _checked_validator(schema):
    """A validator for ``schema`` (JSON text), the schema checked once."""
    import json

    import jsonschema

    loaded = json.loads(schema)
    cls = jsonschema.validators.validator_for(loaded)
    cls.check_schema(loaded)
    return cls(loaded)


class _SchemaCheckedOnce:
    """What nbgrader's metadata check uses of ``jsonschema``: ``validate``, the same
    checks and the same error, but the schema itself checked once per process, not for
    every cell of every notebook (10 ms for a pass over the 19 such cells of 04-gradients,
    0.9 ms with it checked once; autograde makes about two passes per student)."""

    @staticmethod
    def validate(instance, schema):
        import json

        import jsonschema

        validator = _checked_validator(json.dumps(schema, sort_keys=True))
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


def api(root, **kwargs):
    """An ``NbGraderAPI`` for the course at ``root`` with the course's settings."""
    import nbgrader.api
    import nbgrader.nbgraderformat.common
    from nbgrader.apps.api import NbGraderAPI

    nbgrader.api.get_alembic_version = alembic_head  # Gradebook() looks it up when it makes one
    nbgrader.nbgraderformat.common.jsonschema = _SchemaCheckedOnce

    quiet = logging.getLogger("rnncourse.nbgrader")
    quiet.setLevel(logging.ERROR)
    return NbGraderAPI(config=make_config(root, **kwargs), log=quiet)


def run(result, what):
    """Raise with nbgrader's own log when an API call failed."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "no details").strip().splitlines()
        raise RuntimeError(f"{what} failed: " + " | ".join(detail[-3:]))
    return result
