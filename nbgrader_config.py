# nbgrader reads this file when run from the repository root. The settings themselves
# live in rnnlib/course/config.py, shared with `rnncourse`, so both behave the same.
import pathlib

from rnnlib.course.config import configure

configure(get_config(), pathlib.Path(__file__).parent)  # noqa: F821
