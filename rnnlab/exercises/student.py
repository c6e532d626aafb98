"""Write learner versions of the course notebooks: solutions replaced by stubs, outputs cleared.

A solution is the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a code cell
(the nbgrader convention). They are replaced, at the marker's indentation, by::

    # YOUR CODE HERE
    raise NotImplementedError()
"""
from __future__ import annotations

import json
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution block in a cell's source by the nbgrader stub.

    Args:
        source: the cell's code.
        where: a description of the cell for error messages.

    Returns:
        The code with each block between the markers (markers included) replaced by the stub.

    Raises:
        ValueError: when markers are unbalanced or nested.
    """
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number}: '{BEGIN}' inside another solution")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(f"{indent}{stub}\n" for stub in STUB)
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}, line {number}: '{END}' without '{BEGIN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '{BEGIN}' is never closed by '{END}'")
    return "".join(out).rstrip("\n")


CHECK_CALL = "rnnlab.exercises.check("


def has_solution(cell: dict) -> bool:
    """Whether a cell is an exercise's solution: a code cell with a ``### BEGIN SOLUTION`` line
    (the marker every grading path reads: nbgrader's metadata, otter's questions)."""
    return cell.get("cell_type") == "code" and any(
        line.strip() == BEGIN for line in "".join(cell.get("source", "")).splitlines())


def nbgrader_metadata(notebook: dict) -> dict:
    """The notebook with nbgrader's cell metadata, derived from the course's own markers.

    A code cell with ``### BEGIN SOLUTION`` becomes an nbgrader *solution* cell (autograded
    answer); a code cell calling ``rnnlab.exercises.check(`` becomes a *graded, locked test*
    cell worth one point. Every other cell gets no nbgrader metadata. Because the metadata is
    computed from the markers each time, it cannot drift from them.

    Returns:
        A new notebook (the input is not changed).
    """
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        cell = {**cell, "metadata": dict(cell.get("metadata", {}))}
        cell["metadata"].pop("nbgrader", None)
        source = "".join(cell.get("source", ""))
        grade_id = str(cell.get("id") or f"cell-{index}")
        if has_solution(cell):
            cell["metadata"]["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": False,
                                            "schema_version": 3, "solution": True, "task": False}
        elif cell.get("cell_type") == "code" and CHECK_CALL in source:
            cell["metadata"]["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True,
                                            "points": 1, "schema_version": 3, "solution": False,
                                            "task": False}
        cells.append(cell)
    return {**notebook, "cells": cells}


def student_notebook(notebook: dict, where: str = "notebook") -> dict:
    """Return a learner version of a notebook (as loaded from JSON): stubs in, outputs out."""
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        cell = dict(cell)
        if cell.get("cell_type") == "code":
            source = "".join(cell.get("source", ""))
            cell["source"] = strip_solutions(source, f"{where}, cell {index}")
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    return {**notebook, "cells": cells}


def export_student_versions(source_dir: Path, dest_dir: Path) -> list[Path]:
    """Write the learner version of every notebook under ``source_dir`` into ``dest_dir``.

    Args:
        source_dir: folder with the course notebooks (searched recursively).
        dest_dir: folder to write to; created if needed, keeps the relative paths.

    Returns:
        The paths written.

    Raises:
        FileNotFoundError: when ``source_dir`` is not a folder or holds no notebook.
        ValueError: when a notebook is not valid JSON or has unbalanced solution markers.
    """
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"{source_dir} is not a folder")
    notebooks = sorted(p for p in source_dir.rglob("*.ipynb")  # skip checkpoints and builds
                       if not {".ipynb_checkpoints", "_build"} & set(p.relative_to(source_dir).parts))
    if not notebooks:
        raise FileNotFoundError(f"no notebook (*.ipynb) under {source_dir}")
    written = []
    for path in notebooks:
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not valid notebook JSON: {error}") from None
        target = dest_dir / path.relative_to(source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        result = student_notebook(notebook, str(path))
        target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written
