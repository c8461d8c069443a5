"""Simulated students for the course tests: notebooks made from the solutions.

A student is the solution notebook with some answer cells replaced: by the blank
stub, by a named common mistake from rnnlib.checks (the wrong variant, wrapped to
return what the function returns), or by arbitrary source.
"""

import copy
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]

RETURN_SHAPES = {
    "rnn_step_forward": "pair", "rnn_forward": "pair", "gru_step_forward": "pair",
    "lstm_step_forward": "triple", "bptt_t3": "t3", "clip_grad_value": "dict",
    "clip_grad_norm": "dict_norm",
}


def load(assignment):
    return json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())


def answer_cells(nb):
    """grade_id -> cell for the autograded answer cells."""
    return {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"}


def test_points(nb):
    """function name -> points of its test cell (grade_id test_<name>)."""
    out = {}
    for c in nb["cells"]:
        m = c["metadata"].get("nbgrader", {})
        if m.get("grade") and not m.get("solution"):
            out[m["grade_id"].removeprefix("test_")] = m["points"]
    return out


def signature(cell):
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    line = next(l for l in src.splitlines() if l.startswith("def "))
    return line


def _body(name, label):
    shape = RETURN_SHAPES.get(name, "plain")
    return (
        f"    _args = list(locals().values())\n"
        f"    from rnnlib.checks.specs import SPECS as _S\n"
        f"    _v = next(m for m in _S[{name!r}].mistakes if m.label == {label!r}).variant\n"
        f"    _o = _v(*_args)\n"
        f"    _shape = {shape!r}\n"
        f"    if _shape == 'pair': return _o[0], None\n"
        f"    if _shape == 'triple': return _o[0], _o[1], None\n"
        f"    if _shape == 't3': return {{'dWy': _o[0], 'dWs': _o[1], 'dWx': _o[2], "
        f"'dWs_terms': list(_o[3:6]), 'dWx_terms': list(_o[6:9])}}\n"
        f"    if _shape == 'dict': return dict(zip(('Wx', 'Wh', 'b'), _o))\n"
        f"    if _shape == 'dict_norm': return dict(zip(('Wx', 'Wh', 'b'), _o[:3])), float(_o[3][0])\n"
        f"    return _o[0] if len(_o) == 1 else tuple(_o)\n"
    )


def with_mistake(nb, name, label):
    nb = copy.deepcopy(nb)
    cell = answer_cells(nb)[name]
    cell["source"] = signature(cell) + "\n" + _body(name, label)
    return nb


def with_source(nb, name, source):
    nb = copy.deepcopy(nb)
    answer_cells(nb)[name]["source"] = source
    return nb


def write(nb, submitted, student, assignment):
    folder = pathlib.Path(submitted) / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb, indent=1))
    return folder
