"""The course's nbgrader settings, shared by ``rnncourse`` and ``nbgrader_config.py``.

Sources live in ``solutions/``, student versions in ``exercises/``; the working state
of a course (submissions, autograded copies, feedback, the gradebook) lives in the
git-ignored ``course-work/``, never beside the sources.
"""

from __future__ import annotations

import pathlib

from traitlets.config import Config

SOURCE = "solutions"
RELEASE = "exercises"
WORK = "course-work"
CELL_TIMEOUT = 120  # seconds a single cell may run while grading
LATE_PENALTY = "zero"  # nbgrader's LateSubmissionPlugin: 'zero' (late work scores 0) or 'none'


def find_root(start=None) -> pathlib.Path:
    """The repository root: the nearest folder upwards that has ``nbgrader_config.py``."""
    here = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / SOURCE).is_dir():
            return folder
    raise FileNotFoundError(
        f"no course found at or above {here}: run rnncourse inside the repository "
        f"(the folder with nbgrader_config.py and {SOURCE}/)")


def configure(c, root, source=SOURCE, release=RELEASE, work=None, cell_timeout=CELL_TIMEOUT,
              single_run=None, page_cache=None):
    """Fill a traitlets Config ``c`` with the course's settings; return it.

    ``single_run`` (a job folder registered in :data:`rnnlib.course.singlerun.RUNS`)
    makes autograde take the notebook's outputs from the grader's one jailed run
    (:class:`~rnnlib.course.singlerun.SingleRun`); without it, nbgrader's own ``Execute``
    runs it (as plain ``nbgrader autograde`` does). Either way, the autograded notebook
    is cleaned of active HTML before the feedback page and the formgrader show it.
    """
    root = pathlib.Path(root).resolve()
    work = pathlib.Path(work) if work is not None else root / WORK
    (work / "exchange").mkdir(parents=True, exist_ok=True)  # sqlite makes files, not folders
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = str(source)
    c.CourseDirectory.release_directory = str(release)
    c.CourseDirectory.submitted_directory = str(work / "submitted")
    c.CourseDirectory.autograded_directory = str(work / "autograded")
    c.CourseDirectory.feedback_directory = str(work / "feedback")
    c.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"
    c.CourseDirectory.course_id = "rnn-textbook"
    from . import clean, lms  # zip_collect of Canvas/Moodle downloads, grades out to them
    lms.configure(c, work)
    c.Exchange.root = str(work / "exchange")  # unused here; keeps nbgrader off /usr/local
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.ExecutePreprocessor.timeout = cell_timeout
    c.Execute.timeout = cell_timeout
    c.Execute.kernel_name = "python3"
    c.Autograde.autograde_preprocessors = _autograde_chain(single_run is not None)
    # late work: past the assignment's due date (nbgrader db assignment add NAME --duedate=..., or the
    # formgrader), a notebook's autograded score is taken back in full by nbgrader's own plugin
    c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
    c.LateSubmissionPlugin.penalty_method = LATE_PENALTY
    if single_run is not None:
        c.SingleRun.job = str(single_run)
    c.HTMLExporter.sanitize_html = True
    if page_cache is not None:  # a private folder of the grading run's: compiled templates kept there
        c.GenerateFeedback.exporter_class = clean._feedback_exporter(str(page_cache))
    # a notebook must be graded whatever it prints: never stop on a long output
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    return c


def _autograde_chain(single):
    """nbgrader's autograde preprocessors, with the executor chosen and HTML cleaned."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)

    from .clean import SanitizeHTML

    from .singlerun import SingleRun  # the grader's one run, in a jail

    return [SingleRun if single else Execute, SanitizeHTML, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            AssignLatePenalties, CheckCellMetadata]


def make_config(root, **kwargs) -> Config:
    return configure(Config(), root, **kwargs)
