"""The instructor's pipeline, ``rnncourse``: release, validate and grade assignments.

Built on nbgrader's own API (``NbGraderAPI``: generate_assignment, autograde,
generate_feedback) and its gradebook, with the course's settings in one place
(:mod:`rnnlib.course.config`), which the repository's ``nbgrader_config.py`` also
loads, so ``nbgrader`` used directly behaves the same.
"""

import sys

# jsonschema loads rfc3987_syntax when it is installed, which builds a grammar at import
# (0.9 s in every process that validates a notebook); notebooks use no IRI formats.
sys.modules.setdefault("rfc3987_syntax", None)
