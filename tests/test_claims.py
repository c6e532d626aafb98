"""The claims of the book: every sentence that states a comparison is guarded by
``rnnlab.claim``, which fails the published build when the recorded numbers stop showing it,
and every factor the prose states is computed.

Every factor ("a hundred times", "10×", "three-fold") must come from a glued value, so it
cannot drift away from what the chapter computes. The few factors that are exact by definition
are listed with the reason and the place that asserts them.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))

NUMBER = (r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
          r"twenty|thirty|forty|fifty|sixty|a hundred|hundred|a thousand|thousand|million|"
          r"several|many|a few|dozens?)")
FACTOR = re.compile(
    rf"(?i)(?<![`\w{{}}])({NUMBER})(?:\s*-?\s*fold\b|\s+times\b|\s*×(?!\s*\d)|x\b)|"
    rf"\b(?:twice|thrice|half as|doubles?|doubled|halves|halved|halving|triples?|"
    rf"tripled|quadruples?|quadrupled)\b|"
    rf"\b(?:three quarters|two thirds|a third|a quarter|one third|one quarter)\b|"
    rf"(?<![\w.])\d+/\d+\s+(?:of|as)\b|"
    rf"\d+(?:\.\d+)?\s*%\s*(?:more|less|fewer|faster|slower|larger|smaller|higher|lower|"
    rf"speed-?up|gain|improvement)|"
    rf"\bfactor\s+(?:of\s+)?(?:about\s+)?{NUMBER}\b|\borders? of magnitude\b")

# (page, text around the factor, why it may be typed): exact identities that a cell asserts
ALLOWED = [
    ("04_gru.ipynb", 'So "the LSTM has four times and the GRU three times the parameters',
     "the folklore being checked; the cell asserts counts[lstm] == 4 * simple and "
     "counts[gru, reset_after=False] == 3 * simple"),
    ("10_modern_recurrence.ipynb", "doubles its reach every round",
     "the definition of the doubling scan: round r uses the shift 2^r (rnnlab.cells.linear_recurrence, "
     "rnnlab.plots.scan_rounds; tests/test_plots.py counts the arrows)"),
    ("02_gradients.ipynb", "values from half to ten times that average still converge",
     "a quotation of Pascanu, Mikolov & Bengio (2013), section 3.2: the range they report, "
     "not a number the page computes"),
]


def prose(path):
    """The page's prose (markdown cells of a notebook), with glue roles and math blanked out."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{glue(?::\w+)?\}`[^`]*`", "GLUED", text)
    return re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "MATH", text, flags=re.S)


def typed_factors(path):
    text = prose(path)
    found = []
    for match in FACTOR.finditer(text):
        around = text[max(0, match.start() - 80):match.end() + 80]
        if not any(page == path.name and allowed in around.replace("\n", " ")
                   for page, allowed, _ in ALLOWED):
            found.append(around.replace("\n", " "))
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_factor_in_the_prose_is_typed_by_hand(path):
    found = typed_factors(path)
    assert not found, f"{path.name}: glue these factors (or list an exact identity in ALLOWED): {found}"


def test_the_factor_scan_catches_the_errors_it_is_for(tmp_path):
    page = tmp_path / "page.md"
    for wrong in ["10 test images give 10 points, 10,000 give 0.3: a hundred times less.",
                  "The GRU is 3× faster.", "an epoch took twice as long", "a three-fold gain",
                  "several times faster than the loop", "an improvement by a factor of 4",
                  "That doubles the parameters.", "it halves the error", "a quadrupled cost",
                  "an LSTM step costs 4/3 of a GRU step", "three quarters of the weights",
                  "a third of the time", "3x the parameters", "50% more parameters",
                  "a 30% speed-up", "12.5 % faster"]:
        page.write_text(wrong)
        assert typed_factors(page), wrong
    page.write_text("{glue:text}`se_factor:.1f` times less; one time step; 28 × 28 pixels")
    assert not typed_factors(page)


def test_every_allowed_factor_is_still_on_its_page():
    for page, allowed, _ in ALLOWED:
        assert allowed in prose(ROOT / "book" / page).replace("\n", " "), (page, allowed)


# --- rnnlab.claim -------------------------------------------------------------------------------

def claims_of(notebook):
    """The claims a notebook makes: the sentence of each ``rnnlab.claim(condition, "...")`` call,
    which must be a string literal (so this list needs no execution)."""
    import ast

    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "\n".join(  # IPython magics (%pip, !ls) become a statement Python parses
            line[:len(line) - len(line.lstrip())] + "pass"
            if line.lstrip().startswith(("%", "!")) else line
            for line in "".join(cell["source"]).splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "claim":
                args = list(node.args) + [k.value for k in node.keywords if k.arg == "says"]
                text = args[1] if len(args) > 1 else None
                assert isinstance(text, ast.Constant) and isinstance(text.value, str), (
                    f"{notebook.name}: a claim's sentence must be a string literal: "
                    f"{ast.unparse(node)}")
                found.append(text.value)
    return found


def book_claims():
    return {text: notebook.name for notebook in sorted((ROOT / "book").glob("*.ipynb"))
            for text in claims_of(notebook)}


def test_every_claim_is_a_literal_and_the_sentences_are_unique():
    seen = {}
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        for text in claims_of(notebook):
            assert text not in seen, f"the claim {text!r} is made twice ({seen[text]}, {notebook.name})"
            seen[text] = notebook.name


def test_a_false_claim_raises_in_full_mode_and_is_only_recorded_in_fast_mode(monkeypatch, tmp_path):
    import rnnlab
    from rnnlab import claims
    from rnnlab.experiments import store

    log = tmp_path / "claims.tsv"
    monkeypatch.setenv("RNNLAB_CLAIMS_LOG", str(log))
    monkeypatch.setenv("RNNLAB_FAST", "0")
    monkeypatch.delenv("RNNLAB_STORE", raising=False)
    monkeypatch.setattr(store, "TRAINED_UNRECORDED", [])
    assert rnnlab.claim(2 > 1, "two beats one")
    with pytest.raises(claims.ClaimFailed, match="one beats two"):
        rnnlab.claim(1 > 2, "one beats two")
    monkeypatch.setenv("RNNLAB_FAST", "1")
    assert rnnlab.claim(1 > 2, "one beats two, fast") is False        # recorded, no error
    assert log.read_text().splitlines() == ["ok\ttwo beats one", "false\tone beats two",
                                            "false\tone beats two, fast"]
    with pytest.raises(TypeError, match="sentence"):
        rnnlab.claim(True, "")


def test_numbers_trained_here_get_a_warning_not_an_error(monkeypatch):
    import rnnlab
    from rnnlab import claims
    from rnnlab.experiments import store

    monkeypatch.setenv("RNNLAB_FAST", "0")
    monkeypatch.setenv("RNNLAB_STORE", "off")                       # the learner trains everything
    monkeypatch.setattr(store, "TRAINED_UNRECORDED", [])
    with pytest.warns(claims.ClaimWarning, match="trained here"):
        assert rnnlab.claim(False, "a sentence about recorded runs") is False
    monkeypatch.setenv("RNNLAB_STORE", "read")
    monkeypatch.setattr(store, "TRAINED_UNRECORDED", ["a run the store lacked"])
    with pytest.warns(claims.ClaimWarning):
        rnnlab.claim(False, "another sentence")


@pytest.mark.slow
def test_an_injected_false_claim_fails_a_full_build_of_a_notebook(monkeypatch):
    """The mechanism end to end: a notebook whose claim is false fails to execute in full mode
    (as the published build executes it) and executes in fast mode."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import rnnlab\nx = 3\n"
                                          "rnnlab.claim(x < 2, 'x is below two')")]
    monkeypatch.delenv("RNNLAB_STORE", raising=False)
    for fast, fails in (("1", False), ("0", True)):
        monkeypatch.setenv("RNNLAB_FAST", fast)          # the kernel inherits the environment
        client = NotebookClient(nbformat.from_dict(nb), timeout=60, kernel_name="python3")
        if fails:
            with pytest.raises(CellExecutionError, match="ClaimFailed"):
                client.execute()
        else:
            client.execute()
