"""The implement-it exercises: right answers pass (float32 and float64), the stub and each listed
mistake get a message that names it, and nothing a learner returns crashes the checker."""
import numpy as np
import pytest

from rnnlab.cells import sigmoid
from rnnlab.exercises import WrongAnswer, check


def stub(*args):
    raise NotImplementedError()


# --- references a learner might write (independent of rnnlab's own code) --------------------

def rnn_step(x, h, W, U, b):
    return np.tanh(x @ W + h @ U + b)


def lstm_step(x, h, c, W, U, b, order=(0, 1, 2, 3), forget_tanh=False, swap_if=False,
              c_for_candidate=False, bias=True):
    a = x @ W + h @ U + (b if bias else 0)
    parts = np.split(a, 4, axis=-1)
    i, f, g, o = (parts[k] for k in order)
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    if swap_if:
        i, f = f, i
    c_new = f * c + i * (c if c_for_candidate else g)
    return (o * c_new if forget_tanh else o * np.tanh(c_new)), c_new


def gru_step(x, h, W, U, b, swap_z=False, reset_before=False, no_rec_bias=False):
    n = h.shape[-1]
    b1 = 0 * b[1] if no_rec_bias else b[1]
    xz, xr, xh = np.split(x @ W + b[0], 3, axis=-1)
    if reset_before:
        hz, hr = np.split(h @ U[:, :2 * n] + b1[:2 * n], 2, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        cand = np.tanh(xh + (r * h) @ U[:, 2 * n:] + b1[2 * n:])
    else:
        hz, hr, hh = np.split(h @ U + b1, 3, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        cand = np.tanh(xh + r * hh)
    return (1 - z) * h + z * cand if swap_z else z * h + (1 - z) * cand


def rnn_back(dh, x, h_prev, h, W, U, deriv=lambda h, hp: 1 - h ** 2, via=lambda U: U.T, state="prev"):
    da = dh * deriv(h, h_prev)
    return da @ W.T, da @ via(U), x.T @ da, (h_prev if state == "prev" else h).T @ da, da.sum(0)


def lstm_back(dh, dc, cache, cell_path=True, tanh_c_for_o=True, times_f=True, order=(0, 1, 2, 3)):
    i, f, g, o = (cache[k] for k in ("i", "f", "c_tilde", "o"))
    tc = np.tanh(cache["c_t"])
    do = dh * (tc if tanh_c_for_o else cache["c_t"])
    dct = dc + (dh * o * (1 - tc ** 2) if cell_path else 0)
    das = [dct * g * i * (1 - i), dct * cache["c_prev"] * f * (1 - f), dct * i * (1 - g ** 2),
           do * o * (1 - o)]
    da = np.concatenate([das[k] for k in order], axis=-1)
    return (da @ cache["W"].T, da @ cache["U"].T, dct * f if times_f else dct,
            cache["x_t"].T @ da, cache["h_prev"].T @ da, da.sum(0))


def momentum(p, g, v, lr, mu):
    nv = {k: mu * v[k] - lr * g[k] for k in p}
    return {k: p[k] + nv[k] for k in p}, nv


CASES = {
    "rnn-step": (rnn_step, {
        "no bias": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias b is missing"),
        "U transposed": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "U is transposed"),
        "sigmoid": (lambda x, h, W, U, b: sigmoid(x @ W + h @ U + b), "sigmoid"),
        "no tanh": (lambda x, h, W, U, b: x @ W + h @ U + b, "activation is missing"),
        "half precision": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b).astype(np.float16),
                           "values are off"),
    }),
    "lstm-step": (lstm_step, {
        "order i c f o": (lambda *a: lstm_step(*a, order=(0, 2, 1, 3)), "wrong order"),
        "i and f swapped": (lambda *a: lstm_step(*a, swap_if=True), "input and forget gates are swapped"),
        "c_prev for candidate": (lambda *a: lstm_step(*a, c_for_candidate=True), "c_{t-1} is used where"),
        "no tanh on c_t": (lambda *a: lstm_step(*a, forget_tanh=True), "tanh on c_t is missing"),
        "no bias": (lambda *a: lstm_step(*a, bias=False), "bias b is missing"),
        "states swapped": (lambda *a: lstm_step(*a)[::-1], "swapped: return (h_t, c_t)"),
        "only h": (lambda *a: lstm_step(*a)[0], "tuple of 2 arrays"),
    }),
    "gru-step": (gru_step, {
        "z swapped": (lambda *a: gru_step(*a, swap_z=True), "z and 1 − z are swapped"),
        "reset before": (lambda *a: gru_step(*a, reset_before=True), "reset gate is applied before"),
        "no recurrent bias": (lambda *a: gru_step(*a, no_rec_bias=True), "recurrent bias row b[1] is missing"),
        "z r swapped": (lambda x, h, W, U, b: gru_step(
            x, h, np.concatenate(np.split(W, 3, -1)[1::-1] + [np.split(W, 3, -1)[2]], -1),
            np.concatenate(np.split(U, 3, -1)[1::-1] + [np.split(U, 3, -1)[2]], -1),
            np.concatenate(np.split(b, 3, -1)[1::-1] + [np.split(b, 3, -1)[2]], -1)), "blocks are swapped"),
        "returns h_prev": (lambda x, h, W, U, b: h, "return the new state"),
    }),
    "rnn-step-backward": (rnn_back, {
        "no tanh'": (lambda *a: rnn_back(*a, deriv=lambda h, hp: 1.0), "tanh derivative is missing"),
        "tanh' of h_prev": (lambda *a: rnn_back(*a, deriv=lambda h, hp: 1 - hp ** 2), "uses h_{t-1}"),
        "1 - h": (lambda *a: rnn_back(*a, deriv=lambda h, hp: 1 - h), "not 1 − h_t"),
        "U not transposed": (lambda *a: rnn_back(*a, via=lambda U: U), "through the transpose"),
        "dU with h_t": (lambda *a: rnn_back(*a, state="new"), "not h_t"),
        "db per example": (lambda *a: rnn_back(*a)[:4] + (np.zeros((3, 5)),), "shape (3, 5), expected (5,)"),
    }),
    "lstm-step-backward": (lstm_back, {
        "no path through h": (lambda *a: lstm_back(*a, cell_path=False), "misses the path through h_t"),
        "c_t for o": (lambda *a: lstm_back(*a, tanh_c_for_o=False), "not dh_t ⊙ c_t"),
        "no times f": (lambda *a: lstm_back(*a, times_f=False), "forget gate scales the additive path"),
        "blocks f i": (lambda *a: lstm_back(*a, order=(1, 0, 2, 3)), "wrong order"),
        "five outputs": (lambda *a: lstm_back(*a)[:5], "tuple of 6 arrays"),
    }),
    "momentum-step": (momentum, {
        "uphill": (lambda p, g, v, lr, mu: momentum(p, {k: -x for k, x in g.items()}, v, lr, mu),
                   "goes uphill"),
        "no momentum": (lambda p, g, v, lr, mu: momentum(p, g, v, lr, 0.0), "momentum term μ v is missing"),
        "old velocity": (lambda p, g, v, lr, mu: ({k: p[k] + v[k] for k in p}, momentum(p, g, v, lr, mu)[1]),
                         "old velocity"),
        "in place": (lambda p, g, v, lr, mu: (p.update({k: p[k] + 0 for k in p}) or
                                              [p.__setitem__(k, p[k] - lr * g[k]) for k in list(p)],
                                              momentum(p, g, v, lr, mu))[1], "in place"),
        "one dict": (lambda p, g, v, lr, mu: momentum(p, g, v, lr, mu)[0], "pair of dicts"),
    }),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_right_answer_passes(name, capsys):
    check(name, CASES[name][0])
    assert capsys.readouterr().out.startswith(f"Correct! [{name}]")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_stub_is_told_it_is_not_implemented(name):
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check(name, stub)


@pytest.mark.parametrize("name, mistake", [(n, m) for n in sorted(CASES) for m in sorted(CASES[n][1])])
def test_each_listed_mistake_is_named(name, mistake):
    answer, words = CASES[name][1][mistake]
    with pytest.raises(WrongAnswer) as error:
        check(name, answer)
    assert words in str(error.value), str(error.value)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("bad", [lambda *a: None, lambda *a: "h", lambda *a: np.nan,
                                 lambda *a: 1 / 0, "not a function"])
def test_no_answer_crashes_the_checker(name, bad):
    with pytest.raises(WrongAnswer) as error:
        check(name, bad)
    assert "checker could not assess" not in str(error.value)


def test_the_reference_backward_steps_match_finite_differences():
    from rnnlab.bptt import numerical_gradient
    from rnnlab.cells.lstm import lstm_cache, lstm_step_backward
    from rnnlab.cells.simple_rnn import simple_rnn_step, simple_rnn_step_backward

    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    W, U, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    G = rng.normal(size=(2, 4))
    h_t = simple_rnn_step(x, h, W, U, b)
    grads = simple_rnn_step_backward(G, x, h, h_t, W, U)
    for got, array in zip(grads, (x, h, W, U, b)):
        numeric = numerical_gradient(lambda: float(np.sum(G * simple_rnn_step(x, h, W, U, b))), array)
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
    W4, U4, b4 = rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    Gh, Gc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

    def loss():
        cache = lstm_cache(x, h, c, W4, U4, b4)
        return float(np.sum(Gh * cache["h_t"]) + np.sum(Gc * cache["c_t"]))

    grads = lstm_step_backward(Gh, Gc, lstm_cache(x, h, c, W4, U4, b4))
    for got, array in zip(grads, (x, h, c, W4, U4, b4)):
        np.testing.assert_allclose(got, numerical_gradient(loss, array), rtol=1e-6, atol=1e-8)


def test_the_vanishing_lag_experiment_accepts_a_near_guess_and_explains_a_far_one(capsys):
    check("vanishing-lag", 25)
    check("vanishing-lag", lambda: 20)
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check("vanishing-lag", stub)
    assert "measured" in capsys.readouterr().out
    with pytest.raises(WrongAnswer, match="The bound ρ\\^k alone would say 66 steps"):
        check("vanishing-lag", 65)
    with pytest.raises(WrongAnswer, match="should be a number"):
        check("vanishing-lag", "twenty")


def test_the_vanishing_lag_hint_is_accepted_by_its_checker(capsys):
    """Chapter 2's worked answer: lag = ln(10⁻³) / slope, rounded up to a whole step, with the
    slope the chapter fits over the first 30 lags for ρ = 0.9 (T = 100, inputs of size 1)."""
    from rnnlab.gradients import jacobian_norms, log_slope, orthogonal_rnn

    slope = log_slope(jacobian_norms(*orthogonal_rnn(0.9, timesteps=100)), 30)
    predicted = int(np.ceil(np.log(1e-3) / slope))
    assert predicted == 21
    check("vanishing-lag", lambda: predicted)
    out = capsys.readouterr().out
    assert out.startswith("Correct! [vanishing-lag]") and "intercept" in out


def test_the_vanishing_lag_asks_for_a_whole_number_of_steps():
    with pytest.raises(WrongAnswer, match="whole number of steps, got 20.4"):
        check("vanishing-lag", lambda: 20.4)


def test_the_forget_bias_experiment_measures_chapter_2s_lstm(capsys):
    """The prompt gives chapter 2's norm at bias 1 (2.6e-05 at lag 50, far above σ(1)^50), so
    the paths through h_{t-1} add to the cell path: the measured 2 is the answer ("Correct!").
    The cell-path estimate alone, 3 (σ(3)^50 = 0.088), is "Close.", not "Correct!", with what
    the other paths add; below 2, or above 3, is wrong and explained."""
    from rnnlab.exercises.ch03_lstm import cell_path_bias, memory_bias, sigma_power

    measured, norms = memory_bias()
    estimate = cell_path_bias()
    assert estimate == 3 and measured == 2                    # sigma(3)^50 = 0.088, sigma(2)^50 = 0.0018
    assert 2e-5 < norms[1] < 3e-5                             # chapter 2's LSTM at Keras' bias 1
    assert norms[:measured + 1] == sorted(norms[:measured + 1])  # more bias, more memory
    assert norms[measured - 1] < 0.01 / 10 and norms[measured] > 0.01 * 5   # clear margins
    assert norms[measured] > 10 * sigma_power(measured)       # the other paths add
    check("forget-bias-memory", lambda: measured)
    out = capsys.readouterr().out
    assert out.startswith("Correct! [forget-bias-memory] measured: bias 2") and "add to" in out
    check("forget-bias-memory", lambda: estimate)
    out = capsys.readouterr().out
    assert out.startswith("Close. [forget-bias-memory]") and "Correct!" not in out
    assert "cell path alone" in out and f"measures bias {measured}" in out and "add to" in out
    with pytest.raises(WrongAnswer, match=r"With bias 1 the forget gate starts near σ\(1\) = 0.73"):
        check("forget-bias-memory", 1)
    with pytest.raises(WrongAnswer, match="not the smallest: with bias 3 .* above 0.01"):
        check("forget-bias-memory", estimate + 1)
    with pytest.raises(WrongAnswer, match="whole number from 0 to 6"):
        check("forget-bias-memory", 2.5)
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check("forget-bias-memory", stub)


def test_a_per_example_loop_returning_a_list_is_a_right_answer(capsys):
    def rnn_step_as_list(x, h, W, U, b):
        return [np.tanh(x_i @ W + h_i @ U + b) for x_i, h_i in zip(x, h)]

    check("rnn-step", rnn_step_as_list)
    assert capsys.readouterr().out.startswith("Correct! [rnn-step]")


def test_momentum_step_names_any_dict_changed_in_place():
    def updates_velocity_in_place(p, g, v, lr, mu):
        for k in v:
            v[k] = mu * v[k] - lr * g[k]
        return {k: p[k] + v[k] for k in p}, v

    with pytest.raises(WrongAnswer, match="velocity was changed in place"):
        check("momentum-step", updates_velocity_in_place)


def test_complex_and_huge_answers_are_explained_not_crashed():
    with pytest.raises(WrongAnswer, match="complex numbers"):
        check("rnn-step", lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b) + 0j)
    with pytest.raises(WrongAnswer, match="should be a number"):
        check("vanishing-lag", 10 ** 400)
