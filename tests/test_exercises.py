import numpy as np
import pytest

from rnnlab import exercises
from rnnlab.exercises import WrongAnswer, check


def right(x_t, h_prev, W, U, b):
    return np.tanh(x_t @ W + h_prev @ U + b)


def stub(x_t, h_prev, W, U, b):
    raise NotImplementedError()


WRONG = {  # plausible mistakes, each with the words the learner should see
    "no bias": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias b is missing"),
    "sigmoid": (lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b))), "sigmoid"),
    "no memory": (lambda x, h, W, U, b: np.tanh(x @ W + b), "recurrent term"),
    "no activation": (lambda x, h, W, U, b: x @ W + h @ U + b, "activation is missing"),
    "returns h_prev": (lambda x, h, W, U, b: h, "return the new state"),
    "swapped weights": (lambda x, h, W, U, b: np.tanh(x @ U + h @ W + b), "raised ValueError"),
    "transposed": (lambda x, h, W, U, b: np.tanh(W.T @ x.T + U @ h.T + b[:, None]), "transposed"),
    "off by a bit": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + 1.01 * b), "values are off"),
    "forgot return": (lambda x, h, W, U, b: None, "forget `return`"),
    "wrong shape": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b)[0], "shape (5,), expected (3, 5)"),
    "a string": (lambda x, h, W, U, b: "h", "expected an array"),
    "nan": (lambda x, h, W, U, b: np.full((3, 5), np.nan), "NaN"),
}


def test_the_solution_passes(capsys):
    check("elman-step", right)
    assert capsys.readouterr().out.startswith("Correct! [elman-step]")


def test_the_stub_gets_a_helpful_message():
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check("elman-step", stub)


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_plausible_wrong_answers_are_rejected_with_a_hint(mistake):
    answer, hint = WRONG[mistake]
    with pytest.raises(WrongAnswer) as error:
        check("elman-step", answer)
    assert hint in str(error.value)
    assert str(error.value).startswith("[elman-step]")


def test_passing_the_result_instead_of_the_function_is_explained():
    with pytest.raises(WrongAnswer, match="expected a function"):
        check("elman-step", np.zeros((3, 5)))


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="known exercises: .*elman-step"):
        check("elman-stpe", right)


def test_a_broken_checker_does_not_blame_the_learner(monkeypatch):
    def broken(answer):
        raise KeyError("internal")

    monkeypatch.setitem(exercises._CHECKERS, "broken", broken)
    with pytest.raises(WrongAnswer, match="checker could not assess"):
        check("broken", right)


def test_names_are_unique():
    with pytest.raises(ValueError, match="already registered"):
        exercises.checker("elman-step")(lambda answer: "")


def test_call_answer_names_the_usual_mistake_behind_an_error():
    import pytest

    from rnnlab.exercises import WrongAnswer, call_answer

    def broken():
        raise ValueError("Input 0 of layer gru_2 is incompatible: expected ndim=3, found ndim=2")

    with pytest.raises(WrongAnswer, match="return_sequences=True"):
        call_answer(broken, hints={"ndim": "give the first GRU return_sequences=True"})
    with pytest.raises(WrongAnswer, match="your function raised ValueError: Input 0"):
        call_answer(broken, hints={"shape": "unrelated"})


def test_swapped_arguments_are_recognised():
    import pytest

    from rnnlab.exercises import check

    def elman_step(x_t, h_prev, W, U, b):
        return x_t

    with pytest.raises(ValueError, match=r"arguments are swapped: call check\('elman-step', elman_step\)"):
        check(elman_step, "elman-step")
