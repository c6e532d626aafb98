"""The synthetic tasks (rnnlab/data/synthetic.py): the adding problem, the marker task, running
parity and the addition strings."""
import numpy as np
import pytest

from rnnlab.data import adding_problem, marker_task
from rnnlab.data.synthetic import ADDITION_SYMBOLS, addition_strings


def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    x, y = adding_problem(500, 20, seed=3)
    assert x.shape == (500, 20, 2) and y.shape == (500, 1) and x.dtype == np.float32
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :10].sum(axis=1) == 1) and np.all(markers[:, 10:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    # predicting 1 has mean squared error 1/6 (variance of a sum of two uniforms)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.02


def test_adding_problem_is_reproducible_and_seed_dependent():
    a, b, c = adding_problem(10, 8, 1), adding_problem(10, 8, 1), adding_problem(10, 8, 2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_marker_task_puts_the_label_sign_at_step_one_only():
    x, y = marker_task(400, 15, seed=0)
    assert x.shape == (400, 15, 2) and y.shape == (400,) and set(np.unique(y)) == {0, 1}
    assert y.mean() == 0.5
    np.testing.assert_array_equal(x[:, 0, 0], 2.0 * y - 1)
    assert np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)
    # the noise after step 1 carries no information about the label
    assert abs(np.corrcoef(x[:, 1:, 0].sum(axis=1), y)[0, 1]) < 0.2


@pytest.mark.parametrize("task", [adding_problem, marker_task])
@pytest.mark.parametrize("samples, timesteps", [(0, 10), (10, 0), (2.5, 10), (True, 10)])
def test_bad_sizes_are_refused_clearly(task, samples, timesteps):
    with pytest.raises(ValueError, match="must be an integer >="):
        task(samples, timesteps)


def test_parity_problem_targets_are_the_running_parity():
    from rnnlab.data import parity_problem

    x, y = parity_problem(50, 9, seed=3)
    assert x.shape == y.shape == (50, 9, 1) and x.dtype == y.dtype == np.float32
    for row_x, row_y in zip(x[:, :, 0], y[:, :, 0]):
        state = 0
        for bit, target in zip(row_x, row_y):
            state ^= int(bit)
            assert target == state
    assert 0.3 < x.mean() < 0.7
    with pytest.raises(ValueError, match="timesteps"):
        parity_problem(5, 0)


def test_addition_strings_are_sums_left_padded_and_reversible():
    data = addition_strings(500, 3, seed=1)
    flipped = addition_strings(500, 3, seed=1, reverse=True)
    show = lambda row: "".join(ADDITION_SYMBOLS[i] for i in row)
    for k in range(500):
        source, target = show(data.source[k]), show(data.target[k])
        a, b = (int(v) for v in source.strip().split("+"))
        assert (a, b) == (data.a[k], data.b[k]) and source == f"{a}+{b}".rjust(7)
        assert target.split("$")[0] == str(a + b)
        assert show(flipped.source[k]) == f"{a}+{b}"[::-1].rjust(7)
    assert np.array_equal(data.decoder_input[:, 1:], data.target[:, :-1])
    assert (data.decoder_input[:, 0] == ADDITION_SYMBOLS.index("^")).all()
    digits = np.char.str_len(data.a.astype(str))
    assert set(digits) == {1, 2, 3} and abs(np.mean(digits == 1) - 1 / 3) < 0.08
    with pytest.raises(ValueError, match="at most 9"):
        addition_strings(10, 10)
