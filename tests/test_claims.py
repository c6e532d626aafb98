"""The claim audit: numbers and comparisons in the prose are computed, and known errors stay fixed.

Every factor the prose states ("a hundred times", "10×", "three-fold") must come from a glued
value, so it cannot drift away from what the chapter computes. The few factors that are exact by
definition are listed with the reason and the place that asserts them. The errata list holds
statements an expert review found wrong (issue 13); they must not come back.
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
    ("06_mnist_comparison.ipynb", "Training costs about three times the forward pass",
     "the stated assumption of the FLOP model (backward ≈ 2 × forward), not a measurement"),
    ("08_modern_recurrence.ipynb", "doubles its reach every round",
     "the definition of the doubling scan: round r uses the shift 2^r (rnnlab.cells.linear_recurrence, "
     "rnnlab.plots.scan_rounds; tests/test_plots.py counts the arrows)"),
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


# (file, pattern of the wrong statement, what was wrong): issue 13's errata
ERRATA = [
    ("book/02_gradients.ipynb", r"bias\[\.\.\., block\] = gate_bias",
     "a GRU with reset_after=True has two bias rows: setting both gives sigma(10), not sigma(5)"),
    ("book/02_gradients.ipynb", r"the criterion of\s+the original paper",
     "0.04 was Hochreiter & Schmidhuber's criterion on a target with half our spread"),
    ("book/02_gradients.ipynb", r"The \*\*adding problem\*\* \{cite\}`hochreiter1997long` is",
     "the data are Le et al.'s variant, not Hochreiter & Schmidhuber's"),
    ("book/02_gradients.ipynb", r"the\s+Jacobians can grow, and a gradient step",
     "rho = 1.5 with inputs of size 1 does not grow: the fitted slope is near 0"),
    ("book/03_lstm.ipynb", r"assert big\[30\] > 1",
     "a norm above 1 at one lag does not show geometric growth"),
    ("book/03_lstm.ipynb", r"Gal and Ghahramani \{cite\}`gal2016theoretically` showed is needed",
     "per-step dropout on non-recurrent connections works (Zaremba et al. 2014)"),
    ("book/03_lstm.ipynb", r"Gaussian noise of the same size",
     "the noise has std 0.5 against a signal of ±1, and a flag channel marks the signal"),
    ("book/03_lstm.ipynb", r"following \{cite\}`jozefowicz2015empirical`",
     "forget bias positive goes back to Gers et al. (2000)"),
    ("book/03_lstm.ipynb", r"The heatmaps show the same for\s+all 8 units",
     "not computed"),
    ("book/03_lstm.ipynb", r"several times faster",
     "not measured"),
    ("book/01_history.ipynb", r"Peephole connections\*\* \(Gers, Schraudolph",
     "peepholes first appeared in Gers & Schmidhuber (2000, IJCNN)"),
    ("rnnlab/history.py", r"Milestone\(2002, \"Peephole",
     "peepholes first appeared in 2000"),
    ("book/05_keras_examples.ipynb", r"Row by row \(chapter 6\) the same\s+cells learn much faster",
     "compares different setups and computes nothing"),
    ("book/05_keras_examples.ipynb", r"a classic long-range benchmark",
     "Le et al.'s pixel MNIST reads 784 pixels, not a 10 x 10 image"),
    ("book/05_keras_examples.ipynb", r"zeroes half of the last state's\s+values at random",
     "Keras' Dropout also rescales the kept values by 1/(1 - p)"),
    ("book/06_mnist_comparison.ipynb", r"a hundred times\s+less",
     "sqrt(10,000 / 10) is about 31.6"),
    ("book/06_mnist_comparison.ipynb", r"three to four times the parameters",
     "the whole models are 2.8x and 3.6x: glued"),
    ("book/06_mnist_comparison.ipynb", r"only a small fraction of\s+what the cores can do",
     "the peak was not measured in the chapter"),
    ("book/06_mnist_comparison.ipynb", r"Keras runs these layers as fused cuDNN kernels",
     "SimpleRNN has no cuDNN path on any backend"),
    ("benchmarks/mnist_cells.py", r"Keras uses the fused cuDNN\s+kernels",
     "SimpleRNN has no cuDNN path on any backend"),
    ("rnnlab/data/synthetic.py", r"the\s+same size as the signal",
     "std 0.5 is half the signal's amplitude"),
    ("book/02_gradients.ipynb", r"inputs of size 1 push the 32 units",
     "with rho > 1 the recurrence itself drives the state into saturation, tiny inputs too"),
    ("book/03_lstm.ipynb", r"whatever the forget gate does",
     "f is part of M = diag(f) + diag(o) U_c diag(i): it shifts the spectrum"),
    ("book/03_lstm.ipynb", r"The network has not\s+built the textbook latch \(\$f_t = 1\$, \$i_t = 0\$\): its forget gate averages",
     "the average over both classes hid that the forget gate differs by class"),
    ("rnnlab/gradients.py", r"diag\(1 − h_s²\) Uᵀ",
     "notation.md's row convention: J_s = U diag(1 − h_s²)"),
]


@pytest.mark.parametrize("path, pattern, why", ERRATA, ids=[f"{p}:{w[:30]}" for p, _, w in ERRATA])
def test_a_fixed_error_does_not_come_back(path, pattern, why):
    text = (ROOT / path).read_text(encoding="utf-8")
    if path.endswith(".ipynb"):  # search the cells' text, not the JSON escapes
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    assert not re.search(pattern, text), f"{path}: {why}"
