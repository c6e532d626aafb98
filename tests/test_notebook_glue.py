import numpy as np

from rnnlab import glue


def test_glue_hands_myst_nb_python_numbers_for_numpy_scalars(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update({name: value}))
    assert glue("x", np.float64(0.25)) == np.float64(0.25)   # the caller gets its value back
    glue("n", np.int64(3))
    assert type(seen["x"]) is float and seen["x"] == 0.25
    assert type(seen["n"]) is int and repr(seen["n"]) == "3"


def test_markdown_table_writes_header_separator_and_rows_and_checks_widths():
    import pytest

    from rnnlab.notebook import markdown_table, table

    text = markdown_table(["cell", "acc"], [["LSTM", "98.1%"], ["a|b", 2]])
    assert text.splitlines() == ["| cell | acc |", "|---|---|", "| LSTM | 98.1% |", "| a\\|b | 2 |"]
    with pytest.raises(ValueError, match="row 1 has 1 cells, the header 2"):
        markdown_table(["cell", "acc"], [["LSTM"]])
    assert table(["a"], [[1]]) == "| a |\n|---|\n| 1 |"     # outside IPython: the text


def test_glue_takes_numbers_labels_and_figures_and_refuses_sentences():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pytest

    for value in (3, 0.25, np.float32(1.5), "GRU", "2026-11-26 to 2026-12-01", plt.figure()):
        assert glue("ok", value) is value
    plt.close("all")
    for value, why in [("the gated cells beat the simple one", "words"),
                       ("x" * 41, "words"), (True, "truth value"), ({"a": 1}, "cannot glue")]:
        with pytest.raises(TypeError, match=why):
            glue("bad", value)


def test_a_table_is_displayed_wherever_it_stands_in_its_cell(monkeypatch):
    """Not only as a cell's last expression: a table built mid-cell once never reached the page."""
    import IPython
    import IPython.display

    from rnnlab.notebook import table

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    assert table(["a"], [[1]]) is None and shown == ["| a |\n|---|\n| 1 |"]


def test_scientific_writes_powers_of_ten_as_a_person_does():
    import pytest

    from rnnlab.notebook import glue_problem, scientific

    assert scientific(3.252e-10) == "3.3 × 10⁻¹⁰"
    assert scientific(23089.9, 1) == "2.3 × 10⁴"
    assert scientific(0.00302, 2) == "3.02 × 10⁻³"
    assert scientific(2.19) == "2.2"
    assert glue_problem(scientific(1.2e-10)) is None          # a label glue accepts
    with pytest.raises(ValueError, match="finite"):
        scientific(float("nan"))
