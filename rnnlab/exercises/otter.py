"""The exercises of a chapter as an otter-grader assignment, derived from the course's own markers.

`otter-grader <https://otter-grader.readthedocs.io>`_ grades notebooks outside JupyterHub: its
``otter assign`` turns a source notebook into a student notebook and an autograder zip that
Gradescope (or ``otter run``, locally) uses to score submissions. :func:`otter_notebook` writes
that source notebook from a chapter, with nothing written by hand, so it cannot drift from the
chapter:

- a first raw cell ``# ASSIGNMENT CONFIG`` (exception-based tests, no PDF in the export);
- one question per exercise, named after it and worth one point: a raw ``# BEGIN QUESTION``
  cell, the exercise's markdown prompt (the cell just before the solution, when it names the
  exercise in parentheses), the solution cell between ``# BEGIN SOLUTION`` and
  ``# END SOLUTION`` raw cells (without the book's ``hide-cell`` tag: it is the learner's answer
  cell), and the check cell turned into the question's test;
- in the solution cell, the course's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines
  become otter's ``# BEGIN SOLUTION NO PROMPT`` / ``# END SOLUTION`` followed by a prompt, so the
  student notebook gets the course's own stub (``# YOUR CODE HERE`` /
  ``raise NotImplementedError()``), as the learner copies do;
- the test calls the chapter's check, ``rnnlab.exercises.check("<name>", <answer>)``, on the
  answer from the graded notebook's variables: it passes exactly when the check passes.

Otter grades on the variables the notebook holds at its end, so an answer's name must not be
bound again by a later cell; :func:`otter_notebook` refuses a chapter where it is.
"""
from __future__ import annotations

import ast
import builtins
import copy
import json
import re

from rnnlab.exercises.student import BEGIN, CHECK_CALL, END, STUB, has_solution

OTTER_BEGIN = "# BEGIN SOLUTION NO PROMPT"
OTTER_END = "# END SOLUTION"
COLAB_INSTALL = "rnnlab @ git+https://github.com/rnnlab/rnnlab-course"
"""What the chapters' first cell installs on Colab; the autograder's requirements install it too."""


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def _raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def otter_solution(source: str, where: str = "cell") -> str:
    """A solution cell's code with the course's markers turned into otter's.

    Each block between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` keeps its lines between
    ``# BEGIN SOLUTION NO PROMPT`` and ``# END SOLUTION`` and is followed, at the marker's
    indentation, by a triple-quoted string from ``# BEGIN PROMPT`` to ``# END PROMPT`` holding
    the course's stub: otter assign writes that stub into the student notebook in place of the
    block, and keeps the solution (the string after it is a no-op) in the solution notebook.

    Args:
        source: the solution cell's code.
        where: a description of the cell for error messages.

    Returns:
        The code with otter's markers.

    Raises:
        ValueError: when the markers are unbalanced or nested (as for the learner copies).
    """
    out: list[str] = []
    inside, indent = False, ""
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number}: '{BEGIN}' inside another solution")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{OTTER_BEGIN}")
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}, line {number}: '{END}' without '{BEGIN}'")
            inside = False
            out.append(f"{indent}{OTTER_END}")
            out.append(f'{indent}""" # BEGIN PROMPT')
            out.extend(f"{indent}{stub}" for stub in STUB)
            out.append(f'{indent}"""; # END PROMPT')
        else:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def _check_call(source: str, where: str) -> tuple[str, ast.expr]:
    """The exercise's name and the answer's expression of a check cell, which must hold exactly
    one statement: ``rnnlab.exercises.check("<name>", <answer>)``."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"{where}: the check cell does not parse ({error.msg})") from None
    call = tree.body[0].value if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) else None
    if (not isinstance(call, ast.Call) or ast.unparse(call.func) != CHECK_CALL.rstrip("(")
            or len(call.args) != 2 or call.keywords
            or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str)):
        raise ValueError(f"{where}: expected a check cell holding only "
                         f'{CHECK_CALL}"<name>", <answer>), got {source.strip()[:80]!r}')
    return call.args[0].value, call.args[1]


def _answer_names(answer: ast.expr) -> list[str]:
    """The notebook variables an answer's expression reads (builtins left out), in order."""
    names = []
    for node in ast.walk(answer):
        if isinstance(node, ast.Name) and node.id not in names and not hasattr(builtins, node.id):
            names.append(node.id)
    return names


def _bound_names(source: str) -> set[str]:
    """The names a code cell binds at its top level (assignments, defs, classes, imports, for
    targets, ...). A cell that does not parse (IPython magics) binds nothing that is checked."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound


def otter_test(name: str, answer: ast.expr) -> str:
    """An otter exception-based test that runs the chapter's check of exercise ``name``.

    Otter calls the function with the graded notebook's variables of the same names as its
    parameters (the names the answer's expression reads).

    Args:
        name: the exercise's name.
        answer: the expression the chapter's check cell passes as the answer.

    Returns:
        The test cell's code: one ``def test_<name>(...)`` and nothing else, as otter requires.
    """
    function = "test_" + re.sub(r"\W", "_", name)
    parameters = _answer_names(answer)
    if "env" in parameters:  # otter passes its whole environment to a parameter named env
        raise ValueError(f"exercise {name!r}: an answer may not read a variable named 'env'")
    return (f"def {function}({', '.join(parameters)}):\n"
            f"    import rnnlab.exercises\n"
            f"    {CHECK_CALL}{json.dumps(name)}, {ast.unparse(answer)})")


def assignment_config(name: str) -> str:
    """The ``# ASSIGNMENT CONFIG`` cell's YAML for an assignment called ``name``.

    Args:
        name: the assignment's name.

    Returns:
        The raw cell's text: exception-based tests, an export cell without PDF (no LaTeX
        needed), and for Gradescope's image Python 3.11 and rnnlab installed as on Colab.
    """
    return "\n".join([
        "# ASSIGNMENT CONFIG",
        f"name: {name}",
        "requirements:",
        f"  - {COLAB_INSTALL}",
        'python_version: "3.11"',
        "export_cell:",
        "  pdf: false",
        "tests:",
        "  ok_format: false",
    ])


def otter_notebook(notebook: dict, name: str, where: str = "notebook") -> dict:
    """The otter-assign source notebook of a chapter, derived from its exercise markers.

    Args:
        notebook: the chapter, as loaded from JSON.
        name: the assignment's name (otter writes it into the student notebook and the
            autograder checks that a submission carries it), e.g. ``"ch01"``.
        where: a description of the notebook for error messages.

    Returns:
        A new notebook (the input is not changed): the assignment config, then the chapter's
        cells with one otter question around each exercise (see the module's docstring).

    Raises:
        ValueError: when a solution cell is not followed by its check cell, a check cell does
            not follow a solution cell, the markers are unbalanced, two exercises have the
            same name or an answer's name is bound again by a later cell.
    """
    cells = [copy.deepcopy(c) for c in notebook.get("cells", [])]
    out: list[dict] = [_raw(assignment_config(name))]
    questions: list[str] = []
    index = 0
    while index < len(cells):
        cell = cells[index]
        here = f"{where}, cell {index}"
        cell.get("metadata", {}).pop("nbgrader", None)
        if cell.get("cell_type") == "code" and CHECK_CALL in _source(cell) and not has_solution(cell):
            raise ValueError(f"{here}: a check cell that does not follow a solution cell")
        if not has_solution(cell):
            out.append(cell)
            index += 1
            continue
        following = cells[index + 1] if index + 1 < len(cells) else {}
        if following.get("cell_type") != "code" or CHECK_CALL not in _source(following):
            raise ValueError(f"{here}: a solution cell must be followed by its check cell "
                             f"({CHECK_CALL}\"<name>\", <answer>))")
        exercise, answer = _check_call(_source(following), f"{where}, cell {index + 1}")
        if exercise in questions:
            raise ValueError(f"{here}: a second exercise named {exercise!r}")
        later = set().union(*(_bound_names(_source(c)) for c in cells[index + 2:]
                              if c.get("cell_type") == "code"))
        rebound = sorted(later & set(_answer_names(answer)))
        if rebound:
            raise ValueError(f"{here}: exercise {exercise!r} reads {', '.join(rebound)}, which a "
                             "later cell binds again; otter grades the notebook's final variables")
        questions.append(exercise)
        prompt = out[-1] if out[-1].get("cell_type") == "markdown" else None
        if prompt is not None and f"({exercise})" in _source(prompt):
            out.pop()
        else:
            prompt = None
        solution = {**cell, "source": otter_solution(_source(cell), here)}
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t != "hide-cell"]
        solution["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k != "tags"}
        if tags:  # the book hides its solutions; a learner's answer cell stays open
            solution["metadata"]["tags"] = tags
        out += [_raw(f"# BEGIN QUESTION\nname: {exercise}\npoints: 1"),
                *([prompt] if prompt else []),
                _raw("# BEGIN SOLUTION"), solution, _raw("# END SOLUTION"),
                _raw("# BEGIN TESTS"),
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                 "source": otter_test(exercise, answer)},
                _raw("# END TESTS"), _raw("# END QUESTION")]
        index += 2
    for number, cell in enumerate(out):  # ids: otter's cells get fresh ones, unique in the notebook
        if "id" in cell or notebook.get("nbformat_minor", 0) >= 5:
            cell.setdefault("id", f"otter-{number}")
    return {**notebook, "cells": out}
