"""Notebook hygiene: the conventions of CONTRIBUTING.md, checked on every chapter."""
import json
import re
from pathlib import Path

import pytest
from toc import chapters, pages

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CHAPTERS = [ROOT / f"{c}.ipynb" for c in chapters()]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path):
    return [c for c in load(path)["cells"] if c["cell_type"] == "code"]


def test_the_chapters_are_the_notebooks_numbered_in_order():
    """The numbered part of _toc.yml lists exactly the numbered notebooks, 01_..., 02_..., in
    order and without a gap."""
    listed = chapters()
    assert listed == [f"book/{p.stem}" for p in NOTEBOOKS if p.stem[:2].isdigit()]
    numbers = [int(re.match(r"book/(\d\d)_", c).group(1)) for c in listed]
    assert numbers == list(range(1, len(listed) + 1))


def test_every_chapter_has_its_exercise_module():
    modules = {p.stem[:4] for p in (ROOT / "rnnlab" / "exercises").glob("ch[0-9][0-9]_*.py")}
    assert modules == {f"ch{c[5:7]}" for c in chapters()}


def test_every_page_is_in_the_table_of_contents_and_vice_versa():
    listed = set(pages())
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").iterdir() if p.suffix in {".ipynb", ".md"}}
    assert listed == on_disk and len(pages()) == len(listed)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    for cell in code_cells(path):
        assert cell["outputs"] == [], f"{path.name}: strip outputs before committing"
        assert cell["execution_count"] is None, f"{path.name}: clear execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_objectives_and_first_cell(path):
    cells = load(path)["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    if path in CHAPTERS:
        assert "**Learning objectives.**" in "".join(cells[0]["source"])
    first = "".join(code_cells(path)[0]["source"])
    assert '"google.colab" in sys.modules' in first and "rnnlab.setup()" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_is_skipped_or_allowed_to_fail_quietly(path):
    for cell in code_cells(path):
        tags = set(cell.get("metadata", {}).get("tags", []))
        assert not tags & {"nbval-skip", "skip-execution", "nbval-ignore-output"}, path.name
        assert "NBVAL_SKIP" not in "".join(cell["source"]), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_is_followed_by_a_check(path):
    cells = code_cells(path)
    for index, cell in enumerate(cells):
        if "### BEGIN SOLUTION" in "".join(cell["source"]):
            after = "".join(cells[index + 1]["source"]) if index + 1 < len(cells) else ""
            assert "rnnlab.exercises.check(" in after, f"{path.name}: solution without a check"
            assert "hide-cell" in cell.get("metadata", {}).get("tags", []), path.name


WRITTEN = CHAPTERS  # every chapter is written; each ends with its exercises


def markdown(path):
    return "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.stem)
def test_each_written_chapter_ends_with_at_least_three_checked_exercises(path):
    checks = [c for c in code_cells(path) if "rnnlab.exercises.check(" in "".join(c["source"])]
    assert len(checks) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_name_in_the_prose_is_computed_by_the_notebook(path):
    used = set(re.findall(r"\{glue(?::\w*)?\}`([\w-]+)", markdown(path)))
    source = "\n".join("".join(c["source"]) for c in code_cells(path))
    glued = set(re.findall(r"glue\(\s*f?[\"']([\w-]+)[\"']", source))
    templates = re.findall(r"glue\(\s*f\"([^\"]+)\"", source) + re.findall(r"glue\(\s*f'([^']+)'", source)
    regexes = [re.compile("^" + "[\\w.]+".join(re.escape(part) for part in re.split(r"\{[^}]*\}", t))
                          + "$") for t in templates]
    missing = {name for name in used - glued if not any(r.match(name) for r in regexes)}
    assert not missing, f"{path.name}: glued in the text but never computed: {sorted(missing)}"


def test_every_citation_is_in_the_bibliography():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([\w-]+),", bib))
    pages = [markdown(p) for p in NOTEBOOKS] + [p.read_text() for p in (ROOT / "book").glob("*.md")]
    cited = {key.strip() for page in pages for group in re.findall(r"\{cite\w*(?::\w+)?\}`([\w\s,-]+)`", page)
             for key in group.split(",")}
    assert cited and not cited - keys, f"not in references.bib: {sorted(cited - keys)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_cell_has_a_caption_and_alt_text(path):
    for cell in code_cells(path):
        text = "".join(cell["source"])
        if re.search(r"rnnlab\.plots\.\w+\(", text):
            figure = cell.get("metadata", {}).get("mystnb", {})
            assert figure.get("figure", {}).get("caption"), f"{path.name}: figure without caption"
            assert figure.get("image", {}).get("alt"), f"{path.name}: figure without alt text"


def test_colab_install_line_of_every_chapter_uses_the_repository_of_config():
    config = (ROOT / "_config.yml").read_text()
    url = re.search(r"^repository:\s*\n(?:\s*#.*\n)*\s*url:\s*(\S+)", config, flags=re.M).group(1)
    for path in NOTEBOOKS:
        first = "".join(code_cells(path)[0]["source"])
        assert f'"rnnlab @ git+{url}"' in first, f"{path.name}: Colab line does not install from {url}"


# What a chapter must leave to rnnlab (CONTRIBUTING.md): pattern -> why, checked on the code cells
LEFT_TO_RNNLAB = {
    r"seed_everything\(|np\.random\.seed\(|(?<![.\w])random\.seed\(|tf\.random\.set_seed\(":
        "seeds a global generator: rnnlab.setup() seeds once, a model shown in plain Keras is "
        "built after keras.utils.set_random_seed(seed), and rnnlab's builders take seed=...",
    r"default_rng\(\s*\d": "seeds a generator with a literal: use rnnlab.config.SEED",
    r"RNNLAB_FAST|os\.environ": "reads the fast-mode switch: size work with rnnlab.budget(...)",
    r"(?<!rnnlab)\.fit\(|experiments\.train\(":
        "trains without the results store: use rnnlab.fit, model.fit's twin, which serves the "
        "recorded run",
    r"Markdown\(|\|---\|": "builds a table by hand: use rnnlab.notebook.table",
}


def offences(cells):
    found = []
    for cell in cells:
        text = "".join(cell["source"])
        for pattern, why in LEFT_TO_RNNLAB.items():
            for match in re.finditer(pattern, text):
                found.append(f"{cell.get('id')}: {match.group(0)!r} {why}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapters_leave_seeding_budgets_training_and_tables_to_rnnlab(path):
    found = offences(code_cells(path))
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_the_rules_catch_what_they_are_for():
    for text in ["rnnlab.seed_everything(0)", "np.random.seed(1)", "rng = np.random.default_rng(0)",
                 "os.environ['RNNLAB_FAST']", "model.fit(x, y)", "random.seed(3)",
                 "rnnlab.experiments.train(model, x, y, epochs=3)", 'Markdown("\\n".join(rows))']:
        assert offences([{"id": "x", "source": [text]}]), text
    assert not offences([{"id": "x", "source": [
        "rnnlab.setup()\nrng = np.random.default_rng(rnnlab.config.SEED)\n"
        "keras.utils.set_random_seed(0)\nmodel.compile(optimizer='adam', loss='mse')\n"
        "history = rnnlab.fit(model, x, y, epochs=3)"]}])
