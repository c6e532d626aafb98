import json
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.exercises.student import export_student_versions, strip_solutions

BOOK = Path(__file__).resolve().parent.parent / "book"


def test_solution_is_replaced_by_an_indented_stub():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\nf(1)"
    assert strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nf(1)")


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_reported(source, problem):
    with pytest.raises(ValueError, match=problem):
        strip_solutions(source, "nb.ipynb, cell 3")


def test_learner_versions_of_the_book(tmp_path):
    written = export_student_versions(BOOK, tmp_path)
    assert {p.name for p in written} == {p.name for p in BOOK.glob("*.ipynb")}
    history = json.loads((tmp_path / "01_history.ipynb").read_text())
    code = ["".join(c["source"]) for c in history["cells"] if c["cell_type"] == "code"]
    solution = next(c for c in code if "def elman_layer" in c)
    assert "raise NotImplementedError()" in solution and "np.stack" not in solution
    assert not any("### BEGIN SOLUTION" in c for c in code)
    assert any('check("elman-layer", elman_layer)' in c for c in code)  # the check stays
    for cell in history["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_learner_stub_fails_the_check_with_a_helpful_message(tmp_path):
    export_student_versions(BOOK, tmp_path)
    history = json.loads((tmp_path / "01_history.ipynb").read_text())
    solution = next("".join(c["source"]) for c in history["cells"]
                    if "def elman_layer" in "".join(c["source"]))
    namespace = {}
    exec("import numpy as np\n" + solution, namespace)
    from rnnlab.exercises import WrongAnswer, check

    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check("elman-layer", namespace["elman_layer"])


def test_command_line_errors_are_one_line_and_exit_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rnnlab", "student", str(tmp_path / "missing"),
                             str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "is not a folder" in result.stderr


def test_command_line_writes_learner_versions(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rnnlab", "student", str(BOOK), str(tmp_path)],
                            capture_output=True, text=True, check=True)
    notebooks = len(list(BOOK.glob("*.ipynb")))      # the chapters and the back matter's notebooks
    assert notebooks >= 8 and f"wrote {notebooks} learner notebooks" in result.stdout


def run_learner_copy(path: Path) -> list[tuple[str, str]]:
    """Execute a learner notebook (fast mode, errors allowed); return (cell source, error name)
    for every cell that raised."""
    import os

    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    os.environ.setdefault("RNNLAB_FAST", "1")
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return [("".join(cell.source), output["ename"]) for cell in notebook.cells
            if cell.cell_type == "code" for output in cell.get("outputs", [])
            if output.get("output_type") == "error"]


@pytest.mark.slow
def test_a_learner_copy_runs_end_to_end_and_only_the_exercises_fail(tmp_path):
    """Chapter 4, as a learner gets it: the stubs raise in the exercise cells, nothing else fails."""
    export_student_versions(BOOK, tmp_path)
    errors = run_learner_copy(tmp_path / "04_gru.ipynb")
    assert errors, "the stubs should make the checks fail"
    for source, name in errors:
        assert "rnnlab.exercises.check(" in source and name == "WrongAnswer", (name, source)


def test_a_folder_inside_a_build_is_exported_but_builds_inside_it_are_skipped(tmp_path):
    source = tmp_path / "_build" / "reader"
    (source / "_build").mkdir(parents=True)
    cell = {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["### BEGIN SOLUTION\n", "x = 1\n", "### END SOLUTION\n"]}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    (source / "ch.ipynb").write_text(json.dumps(notebook))
    (source / "_build" / "copy.ipynb").write_text(json.dumps(notebook))
    written = export_student_versions(source, tmp_path / "learner")
    assert [p.name for p in written] == ["ch.ipynb"]
    assert "raise NotImplementedError()" in "".join(json.loads(written[0].read_text())["cells"][0]["source"])
