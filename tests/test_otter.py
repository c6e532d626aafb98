"""The otter-grader source notebook made from a chapter's exercise markers (no otter needed:
``python3 tools/course.py otter`` runs otter itself on chapter 1)."""
import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from rnnlab.exercises import WrongAnswer
from rnnlab.exercises.otter import otter_notebook
from rnnlab.exercises.student import strip_solutions

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def questions(notebook: dict) -> list[list[dict]]:
    """The cells of each question, from its ``# BEGIN QUESTION`` cell to its ``# END QUESTION``."""
    found, current = [], None
    for cell in notebook["cells"]:
        text = source(cell)
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            assert current is None, "a question inside another"
            current = []
        if current is not None:
            current.append(cell)
        if cell["cell_type"] == "raw" and text.startswith("# END QUESTION"):
            found.append(current)
            current = None
    assert current is None, "a question never ends"
    return found


def boundaries(question: list[dict]) -> list[str]:
    """The question's layout: each raw cell's first line, 'code' or 'markdown' for the others."""
    return [source(c).splitlines()[0] if c["cell_type"] == "raw" else c["cell_type"]
            for c in question]


def as_student(code: str) -> str:
    """What otter assign writes in the student notebook for a solution cell, by its documented
    rules for the markers used here: the lines from ``# BEGIN SOLUTION NO PROMPT`` to
    ``# END SOLUTION`` go, the ``# BEGIN PROMPT`` / ``# END PROMPT`` lines go, the prompt stays."""
    out, inside = [], False
    for line in code.splitlines():
        if line.strip() == "# BEGIN SOLUTION NO PROMPT":
            inside = True
        elif line.rstrip().endswith("# END SOLUTION"):
            inside = False
        elif not inside and not line.rstrip().endswith(("# BEGIN PROMPT", "# END PROMPT")):
            out.append(line)
    return "\n".join(out)


@pytest.fixture(scope="module")
def history() -> tuple[dict, dict]:
    chapter = load(BOOK / "01_history.ipynb")
    return chapter, otter_notebook(chapter, "ch01", "01_history.ipynb")


def test_the_assignment_config_comes_first_and_asks_for_exception_based_tests(history):
    _, otter = history
    first = otter["cells"][0]
    assert first["cell_type"] == "raw" and source(first).startswith("# ASSIGNMENT CONFIG\n")
    config = yaml.safe_load(source(first))
    assert config["name"] == "ch01" and config["tests"] == {"ok_format": False}
    assert config["export_cell"] == {"pdf": False}
    assert sum(source(c).startswith("# ASSIGNMENT CONFIG") for c in otter["cells"]) == 1


def test_one_question_per_exercise_in_the_chapters_order(history):
    chapter, otter = history
    checks = re.findall(r'rnnlab\.exercises\.check\("([\w-]+)"',
                        "".join(source(c) for c in chapter["cells"] if c["cell_type"] == "code"))
    found = questions(otter)
    assert len(checks) == 5 and [yaml.safe_load(source(q[0]))["name"] for q in found] == checks
    for question in found:
        assert yaml.safe_load(source(question[0]))["points"] == 1
        layout = boundaries(question)
        if layout[1] == "markdown":  # the exercise's prompt, when it names the exercise
            name = yaml.safe_load(source(question[0]))["name"]
            assert f"({name})" in source(question[1])
            del layout[1]
        assert layout == ["# BEGIN QUESTION", "# BEGIN SOLUTION", "code", "# END SOLUTION",
                          "# BEGIN TESTS", "code", "# END TESTS", "# END QUESTION"]
    assert sum(boundaries(q)[1] == "markdown" for q in found) >= 4


def test_solutions_are_marked_for_otter_and_give_the_learner_copys_stub(history):
    chapter, otter = history
    originals = [source(c) for c in chapter["cells"]
                 if c["cell_type"] == "code" and "### BEGIN SOLUTION" in source(c)]
    solutions = [q[boundaries(q).index("# BEGIN SOLUTION") + 1] for q in questions(otter)]
    assert len(solutions) == len(originals) == 5
    for original, cell in zip(originals, solutions):
        code = source(cell)
        assert "### BEGIN SOLUTION" not in code and "### END SOLUTION" not in code
        assert code.count("# BEGIN SOLUTION NO PROMPT") == code.count("# END SOLUTION") == 1
        assert "hide-cell" not in cell["metadata"].get("tags", [])
        # the solution notebook runs the chapter's code; the student gets the course's stub
        assert as_student(code) == strip_solutions(original)
        assert "raise NotImplementedError()" in as_student(code)
        compile(code, "solution", "exec")
    # no check cell is left outside the tests: otter's grader.check replaces it
    outside = [c for c in otter["cells"] if c["cell_type"] == "code"
               and "rnnlab.exercises.check(" in source(c) and not source(c).startswith("def test_")]
    assert outside == []


@pytest.mark.slow  # imports otter (about 2 s), when the otter extra is installed
def test_otters_own_solution_removal_gives_the_same_stub(history):
    replace_solutions = pytest.importorskip("otter.assign.solutions").replace_solutions
    chapter, otter = history
    for question in questions(otter):
        code = source(question[boundaries(question).index("# BEGIN SOLUTION") + 1])
        assert "\n".join(replace_solutions(code.split("\n"), "python")) == as_student(code)


def run_test(test_cell: str, **variables):
    """Define the question's test as otter does and call it with the notebook's variables."""
    namespace: dict = {}
    exec(test_cell, namespace)
    function = next(v for k, v in namespace.items() if k.startswith("test_"))
    parameters = function.__code__.co_varnames[:function.__code__.co_argcount]
    function(**{p: variables.get(p) for p in parameters})


def test_a_questions_test_passes_exactly_when_the_chapters_check_passes(history):
    _, otter = history
    tests = {yaml.safe_load(source(q[0]))["name"]: source(q[boundaries(q).index("# BEGIN TESTS") + 1])
             for q in questions(otter)}
    assert tests["elman-params"] == ('def test_elman_params(elman_params):\n'
                                     '    import rnnlab.exercises\n'
                                     '    rnnlab.exercises.check("elman-params", elman_params)')
    run_test(tests["elman-params"], elman_params=lambda d, n: n * (d + n + 1))
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        namespace: dict = {}
        exec(as_student(source(questions(otter)[2][3])), namespace)
        run_test(tests["elman-params"], elman_params=namespace["elman_params"])
    with pytest.raises(WrongAnswer, match="elman-params"):
        run_test(tests["elman-params"], elman_params=lambda d, n: n * (d + n))   # no bias
    with pytest.raises(WrongAnswer):
        run_test(tests["elman-params"])                                          # not defined
    jordan = {"jordan_step": lambda x, y, W, U, b, W_y, b_y: (np.tanh(x @ W + y @ U + b),) * 2}
    with pytest.raises(WrongAnswer):
        run_test(tests["jordan-step"], **jordan)


def test_the_chapter_is_left_unchanged(history):
    chapter, _ = history
    before = copy.deepcopy(chapter)
    otter_notebook(chapter, "ch01")
    assert chapter == before


def test_ids_are_unique(history):
    ids = [c["id"] for c in history[1]["cells"]]
    assert len(ids) == len(set(ids)) == len(history[1]["cells"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_makes_an_assignment_with_one_question_per_exercise(path):
    chapter = load(path)
    solutions = sum("### BEGIN SOLUTION" in source(c) for c in chapter["cells"]
                    if c["cell_type"] == "code")
    assert len(questions(otter_notebook(chapter, path.stem[:2], path.name))) == solutions


def cell(kind: str, text: str) -> dict:
    return {"cell_type": kind, "metadata": {}, "source": text,
            **({"outputs": [], "execution_count": None} if kind == "code" else {})}


SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
CHECK = 'rnnlab.exercises.check("double", f)'


@pytest.mark.parametrize("cells, problem", [
    ([cell("code", SOLUTION)], "must be followed by its check cell"),
    ([cell("code", SOLUTION), cell("markdown", CHECK)], "must be followed by its check cell"),
    ([cell("code", CHECK)], "does not follow a solution cell"),
    ([cell("code", SOLUTION), cell("code", CHECK + "\nx = 1")], "holding only"),
    ([cell("code", SOLUTION), cell("code", 'rnnlab.exercises.check(name, f)')], "holding only"),
    ([cell("code", SOLUTION), cell("code", CHECK), cell("code", SOLUTION.replace("f(", "g(")),
      cell("code", CHECK.replace("f)", "g)"))], "a second exercise named 'double'"),
    ([cell("code", SOLUTION), cell("code", CHECK), cell("code", "def f(x):\n    return x")],
     "reads f, which a later cell binds again"),
    ([cell("code", SOLUTION), cell("code", CHECK), cell("code", "for f in range(2):\n    pass")],
     "binds again"),
    ([cell("code", "def f(x):\n    ### BEGIN SOLUTION\n    return x"), cell("code", CHECK)],
     "never closed"),
])
def test_chapters_that_do_not_make_an_assignment_are_refused(cells, problem):
    with pytest.raises(ValueError, match=problem):
        otter_notebook({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, "t")


def test_an_answer_expression_passes_the_variables_it_reads():
    cells = [cell("code", SOLUTION), cell("code", 'rnnlab.exercises.check("double", f(len(xs)))')]
    made = otter_notebook({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}, "t")
    test = next(source(c) for c in made["cells"] if source(c).startswith("def test_"))
    assert test.splitlines()[0] == "def test_double(f, xs):"   # len is a builtin, not a variable
    assert "id" not in made["cells"][0]                          # nbformat 4.4 has no cell ids
