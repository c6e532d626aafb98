"""The promises CONTRIBUTING makes about what a new cell and a new chapter touch, kept true.

In a temporary copy of the course, a new cell is added as one file and a new chapter as the
files CONTRIBUTING lists; the tests that would catch anything else left to edit then run in the
copy, and the files that changed are counted."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["rnnlab", "tests", "book", "tools", "_toc.yml", "_config.yml", "README.md",
          "pyproject.toml", "CONTRIBUTING.md"]


def promised(kind):
    """The number of files CONTRIBUTING says a new ``kind`` ("cell", "chapter") touches."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
    found = re.search(rf"\*\*A new {kind} is (\w+) files?\b", text)
    assert found, f"CONTRIBUTING.md must say '**A new {kind} is N files'"
    return words[found.group(1)]


def course_copy(tmp_path):
    """A copy of what the static tests read, as a git repository with one commit."""
    copy = tmp_path / "course"
    copy.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", "browser", ".ipynb_checkpoints"))
        else:
            shutil.copyfile(source, copy / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(copy)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], check=True)
    return copy, git


def touched(copy, git):
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    return sorted(line[3:] for line in status.splitlines())


def pytest_in(copy, *args):
    """Run pytest in the copy, with the copy's rnnlab first on the path; return its output."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=copy, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy),
                               "RNNLAB_FAST": "1", "RNNLAB_STORE": "off",
                               "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(copy)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return done.stdout


TOY_CELL = '''"""A toy cell for tests/test_promises.py: Elman's step under another name, with its own
Keras layer (a SimpleRNN subclass, so Keras computes the same thing)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import simple_rnn
from rnnlab.cells.registry import CellSpec, register

__all__ = ["toy_step"]


def toy_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray,
             b: np.ndarray) -> np.ndarray:
    """h_t = tanh(x_t W + h_{t-1} U + b)."""
    return np.tanh(x_t @ W + h_prev @ U + b)


def _keras_layer(units: int, **options: Any) -> Any:
    import keras

    class ToyRNN(keras.layers.SimpleRNN):
        pass

    return ToyRNN(units, **options)


SPEC = register(CellSpec(
    name="toy", keras_class="ToyRNN", label="toy RNN", color="#777777", order=99,
    blocks=("h",), states=("h",), step=simple_rnn.step, step_back=simple_rnn.step_back,
    keras_factory=_keras_layer))
'''


@pytest.mark.slow
def test_a_new_cell_is_the_files_contributing_promises(tmp_path):
    copy, git = course_copy(tmp_path)
    (copy / "rnnlab" / "cells" / "toy.py").write_text(TOY_CELL, encoding="utf-8")
    assert touched(copy, git) == ["rnnlab/cells/toy.py"]
    assert len(touched(copy, git)) == promised("cell")
    out = pytest_in(copy, "tests/test_registry.py", "tests/test_cells.py", "tests/test_bptt.py",
                    "tests/test_gradients.py", "-k", "toy or registry or every_registered")
    ran = int(re.search(r"(\d+) passed", out).group(1))
    assert ran >= 20, out                     # the parity, BPTT and gradient tests ran for it
    probe = ("import rnnlab, rnnlab.plots as p; assert 'toy' in rnnlab.cells.CELLS; "
             "assert 'toy_step' in rnnlab.cells.__all__; assert p.CELL_LABELS['toy'] == 'toy RNN'")
    subprocess.run([sys.executable, "-c", probe], cwd=copy, check=True,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy), "HOME": str(copy)})


def cell(kind, source, tags=(), cid=""):
    made = {"cell_type": kind, "id": cid, "metadata": {"tags": list(tags)} if tags else {},
            "source": source.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        made.update(execution_count=None, outputs=[])
    return made


def toy_chapter(number):
    exercises = []
    for i, name in enumerate(("toy-one", "toy-two", "toy-three"), start=1):
        exercises += [
            cell("markdown", f"**Exercise {i} ({name}).** Return {i}."),
            cell("code", f"def answer():\n    ### BEGIN SOLUTION\n    return {i}\n"
                         "    ### END SOLUTION", tags=["hide-cell"]),
            cell("code", f'rnnlab.exercises.check("{name}", answer)')]
    cells = [
        cell("markdown", "# A toy chapter\n\n**Learning objectives.** After this chapter you "
                         "can\n\n- count to three."),
        cell("code", '# On Colab, install the course package first; anywhere else this does '
                     'nothing.\nimport sys\nif "google.colab" in sys.modules:\n    %pip install '
                     '-q "rnnlab @ git+https://github.com/rnnlab/rnnlab-course"\n\nimport rnnlab'
                     '\n\nrnnlab.setup()'),
        cell("code", "three = 1 + 2\nprint(three)"),
        cell("code", 'rnnlab.glue("three", three)\nrnnlab.claim(three > 2, "three is more than '
                     'two in the toy chapter")', tags=["remove-cell"]),
        cell("markdown", "One and two make {glue:text}`three`, more than two."),
        *exercises,
    ]
    for i, made in enumerate(cells):
        made["id"] = f"{number}-{i:02d}"
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


TOY_CHECKERS = '''"""Checkers of the toy chapter (tests/test_promises.py)."""
from rnnlab.exercises import call_answer, checker, WrongAnswer


def _expect(value):
    def check(answer):
        got = call_answer(answer)
        if got != value:
            raise WrongAnswer(f"expected {value}, got {got!r}")
        return f"{value}, as expected."
    return check


for _name, _value in (("toy-one", 1), ("toy-two", 2), ("toy-three", 3)):
    checker(_name)(_expect(_value))
'''


@pytest.mark.slow
def test_a_new_chapter_is_the_files_contributing_promises(tmp_path):
    copy, git = course_copy(tmp_path)
    listed = re.findall(r"file: book/\d\d_", (copy / "_toc.yml").read_text())
    number = f"{len(listed) + 1:02d}"
    name = f"{number}_toy"
    (copy / "book" / f"{name}.ipynb").write_text(json.dumps(toy_chapter(number), indent=1))
    (copy / "rnnlab" / "exercises" / f"ch{number}_toy.py").write_text(TOY_CHECKERS)
    toc = (copy / "_toc.yml").read_text()
    last = re.findall(r"      - file: book/\d\d_\w+\n", toc)[-1]
    (copy / "_toc.yml").write_text(toc.replace(last, last + f"      - file: book/{name}\n"))
    for table, row in (("book/intro.md", f"| {{doc}}`{name}` | A toy chapter |\n"),
                       ("README.md", f"| {int(number)} | A toy chapter |\n")):
        text = (copy / table).read_text()
        rows = re.findall(r"^\|.*\|\n", text, flags=re.M)
        chapter_rows = [r for r in rows if re.match(r"\| ({doc}`\d\d_|\d+ \|)", r)]
        (copy / table).write_text(text.replace(chapter_rows[-1], chapter_rows[-1] + row, 1))
    tests = (copy / "tests" / "test_exercises_chapters.py").read_text()
    cases = "".join(f"\n    'toy-{word}': (lambda: {n}, {{'off by one': (lambda: {n + 1}, "
                    f"'expected {n}')}})," for n, word in ((1, "one"), (2, "two"), (3, "three")))
    tests = tests.replace("EXERCISES = {", "EXERCISES = {" + cases, 1)
    (copy / "tests" / "test_exercises_chapters.py").write_text(tests)
    files = touched(copy, git)
    assert len(files) == promised("chapter"), files
    # the toy chapter's cases and every test over the whole book (not the other chapters' own)
    pytest_in(copy, "tests/test_notebooks.py", "tests/test_lecture.py", "tests/test_claims.py",
              "tests/test_promises.py::test_every_chapter_is_listed_in_the_intro_and_the_readme",
              "-k", "toy or not 0")
    out = pytest_in(copy, "tests/test_exercises_chapters.py", "-k", "toy or every_registered")
    assert int(re.search(r"(\d+) passed", out).group(1)) >= 10, out


def test_every_chapter_is_listed_in_the_intro_and_the_readme():
    from toc import chapters

    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for number, chapter in enumerate(chapters(), start=1):
        assert f"{{doc}}`{Path(chapter).name}`" in intro, f"book/intro.md does not list {chapter}"
        assert re.search(rf"^\| {number} \| \w", readme, flags=re.M), f"README lists no {number}"
    assert not re.search(rf"^\| {len(chapters()) + 1} \|", readme, flags=re.M)
