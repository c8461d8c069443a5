"""Author an nbgrader source notebook from a plain-text description (a writing aid).

    .venv/bin/python tools/make_notebook.py draft.txt solutions/NAME/NAME.ipynb

The .txt holds cells separated by lines of the form ``%% KIND [grade_id] [points]``:

    %% md                      read-only instructions (markdown)
    %% code                    read-only code the student runs
    %% answer GRADE_ID         an autograded answer cell (code with BEGIN/END SOLUTION)
    %% tests GRADE_ID POINTS   a locked autograder test cell
    %% written GRADE_ID POINTS a manually graded markdown answer
    %% free                    an ordinary cell the student may edit (not graded)

The .ipynb it writes is the source nbgrader reads, edited by hand from then on; keep
drafts out of solutions/ (nbgrader would release every file of an assignment folder).
"""

import pathlib
import re
import sys

import nbformat


def meta(grade_id, grade, solution, locked, points=None):
    m = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def build(text):
    cells = []
    blocks = re.split(r"^%% ", text, flags=re.M)[1:]
    counter = 0
    for block in blocks:
        header, _, body = block.partition("\n")
        parts = header.split()
        kind, body = parts[0], body.strip("\n")
        counter += 1
        if kind == "md":
            cells.append(nbformat.v4.new_markdown_cell(body, metadata=meta(f"cell-{counter:02d}", False, False, True)))
        elif kind == "code":
            cells.append(nbformat.v4.new_code_cell(body, metadata=meta(f"cell-{counter:02d}", False, False, True)))
        elif kind == "free":
            cells.append(nbformat.v4.new_code_cell(body))
        elif kind == "answer":
            cells.append(nbformat.v4.new_code_cell(body, metadata=meta(parts[1], False, True, False)))
        elif kind == "tests":
            cells.append(nbformat.v4.new_code_cell(body, metadata=meta(parts[1], True, False, True, float(parts[2]))))
        elif kind == "written":
            cells.append(nbformat.v4.new_markdown_cell(body, metadata=meta(parts[1], True, True, False, float(parts[2]))))
        else:
            raise ValueError(f"unknown cell kind {kind!r}")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


if __name__ == "__main__":
    src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    nb = build(src.read_text())
    nbformat.validate(nb)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))
    print(f"wrote {out} ({len(nb.cells)} cells)")
