"""The few places where rnnlib.course.nbapi puts its own code in nbgrader's place must
give what nbgrader's own code gives."""

import copy

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from rnnlib.course import nbapi

GOOD = {"grade": True, "solution": True, "locked": False, "points": 2, "grade_id": "rnn_step_forward",
        "schema_version": 3, "task": False}
BAD = [
    dict(GOOD, points="two"),  # a wrong type
    {k: v for k, v in GOOD.items() if k != "locked"},  # a required key missing
    dict(GOOD, grade="yes", locked=None),  # two errors: best_match picks the same one
]


def _cell(meta):
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = copy.deepcopy(meta)
    return cell


def test_the_metadata_check_installed_by_api_checks_the_schema_once(tmp_path, monkeypatch):
    import nbgrader.nbgraderformat.common as common

    nbapi.api(tmp_path)
    assert common.jsonschema is nbapi._SchemaCheckedOnce
    validator = MetadataValidator()
    cls = jsonschema.validators.validator_for(validator.schema)
    checked = []
    check = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", lambda schema, *a, **k: checked.append(1) or check(schema, *a, **k))
    validator.schema = dict(validator.schema, title="a schema of this test's own")  # not in the cache yet
    for _ in range(5):
        validator.validate_cell(_cell(GOOD))  # passes, as with jsonschema
    with pytest.raises(jsonschema.ValidationError):
        validator.validate_cell(_cell(BAD[0]))
    assert len(checked) == 1


@pytest.mark.parametrize("meta", BAD)
def test_bad_metadata_raises_the_error_jsonschema_raises(meta):
    schema = MetadataValidator().schema
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate(meta, schema)
    with pytest.raises(jsonschema.ValidationError) as ours:
        nbapi._SchemaCheckedOnce.validate(meta, schema)
    assert (ours.value.message, list(ours.value.path)) == (theirs.value.message, list(theirs.value.path))


def test_a_broken_schema_is_still_refused():
    with pytest.raises(jsonschema.SchemaError):
        nbapi._SchemaCheckedOnce.validate({}, {"type": "no-such-type"})
