"""Every chapter checker: the solution passes, the stub and plausible mistakes get their hint."""
import numpy as np
import pytest

from rnnlab.exercises import WrongAnswer, check, names


def stub(*args):
    raise NotImplementedError()


def sig(a):
    return 1 / (1 + np.exp(-a))


def right_clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * (max_norm / norm) if norm > max_norm else g for g in grads]


EXERCISES = {
    "elman-params": (
        lambda d, n: n * (d + n + 1),
        {"no bias": (lambda d, n: n * (d + n), "biases are missing"),
         "no U": (lambda d, n: n * (d + 1), "recurrent weights U are missing"),
         "string": (lambda d, n: "many", "expected a number"),
         "None": (lambda d, n: None, "expected a number"),
         "off": (lambda d, n: n * (d + n + 1) + 7, "values are off")}),
    "jordan-step": (
        lambda x, y, W, U, b, V, c: (np.tanh(x @ W + y @ U + b), np.tanh(x @ W + y @ U + b) @ V + c),
        {"no feedback": (lambda x, y, W, U, b, V, c: (np.tanh(x @ W + b), np.tanh(x @ W + b) @ V + c),
                         "add y_{t-1} U"),
         "tanh output": (lambda x, y, W, U, b, V, c: (np.tanh(x @ W + y @ U + b),
                                                     np.tanh(np.tanh(x @ W + y @ U + b) @ V + c)),
                         "y_t is linear"),
         "one result": (lambda x, y, W, U, b, V, c: np.tanh(x @ W + y @ U + b), "tuple of 2 arrays"),
         "h shape": (lambda x, y, W, U, b, V, c: (np.zeros((5, 3)), np.zeros((3, 2))), "transposed")}),
    "bptt-step": (
        lambda dh, h, U: (dh * (1 - h ** 2)) @ U.T,
        {"U not transposed": (lambda dh, h, U: (dh * (1 - h ** 2)) @ U, "U transposed"),
         "no tanh'": (lambda dh, h, U: dh @ U.T, "tanh derivative is missing"),
         "no U": (lambda dh, h, U: dh * (1 - h ** 2), "recurrent weights"),
         "sigmoid'": (lambda dh, h, U: (dh * h * (1 - h)) @ U.T, "sigmoid's derivative"),
         "1 - h": (lambda dh, h, U: (dh * (1 - h)) @ U.T, "not 1 - h_t")}),
    "log-norm-slope": (
        np.log,
        {"log10": (np.log10, "log base 10"),
         "rho - 1": (lambda r: r - 1, "first-order approximation"),
         "rho": (lambda r: r, "factor per step"),
         "sign": (lambda r: -np.log(r), "sign is flipped"),
         "inf": (lambda r: np.inf, "finite number")}),
    "clip-global-norm": (
        right_clip,
        {"per array": (lambda gs, m: [g * min(1, m / np.linalg.norm(g)) for g in gs], "global norm"),
         "always": (lambda gs, m: [g * m / np.sqrt(sum(np.sum(x ** 2) for x in gs)) for g in gs],
                    "not stretched"),
         "never": (lambda gs, m: gs, "rescale when"),
         "returns a tuple with the norm": (lambda gs, m: (right_clip(gs, m), 1.0), "list of 3 arrays"),
         "mutates and returns None": (lambda gs, m: None, "list of 3 arrays")}),
    "lstm-cell-state": (
        lambda f, i, ct, c: f * c + i * ct,
        {"seed article's mistake": (lambda f, i, ct, c: i * c + f * ct, "gates are swapped"),
         "1997 LSTM": (lambda f, i, ct, c: c + i * ct, "no forget gate"),
         "no input gate": (lambda f, i, ct, c: f * c + ct, "input gate is missing"),
         "coupled": (lambda f, i, ct, c: f * c + (1 - f) * ct, "couples the gates"),
         "tanh": (lambda f, i, ct, c: np.tanh(f * c + i * ct), "c_t has no tanh")}),
    "lstm-params": (
        lambda d, n: 4 * n * (d + n + 1),
        {"no bias": (lambda d, n: 4 * n * (d + n), "biases are missing"),
         "simple rnn": (lambda d, n: n * (d + n + 1), "that is one block"),
         "gru": (lambda d, n: 3 * n * (d + n + 1), "three blocks"),
         "one bias": (lambda d, n: 4 * n * (d + n) + n, "own bias")}),
    "forget-slice": (
        lambda k, r, b: (k[:, 3:6], r[:, 3:6], b[3:6]),
        {"input gate": (lambda k, r, b: (k[:, :3], r[:, :3], b[:3]), "input gate's block"),
         "output gate": (lambda k, r, b: (k[:, 9:], r[:, 9:], b[9:]), "output gate's block"),
         "rows": (lambda k, r, b: (k[:, 3:6].T, r[:, 3:6], b[3:6]), "expected (2, 3)"),
         "two only": (lambda k, r, b: (k[:, 3:6], r[:, 3:6]), "tuple of 3 arrays")}),
    "gru-interpolation": (
        lambda z, h, ht: z * h + (1 - z) * ht,
        {"Chung": (lambda z, h, ht: (1 - z) * h + z * ht, "Chung et al."),
         "no (1 - z)": (lambda z, h, ht: z * h + ht, "weight (1 - z_t)"),
         "no old state": (lambda z, h, ht: (1 - z) * ht, "old state gets weight z_t")}),
    "gru-params": (
        lambda d, n, after: 3 * n * (d + n + 1) + (3 * n if after else 0),
        {"ignores reset_after": (lambda d, n, a: 3 * n * (d + n + 1), "two bias vectors"),
         "always two biases": (lambda d, n, a: 3 * n * (d + n + 2), "single bias vector"),
         "lstm": (lambda d, n, a: 4 * n * (d + n + 1), "LSTM's count"),
         "returns a bool": (lambda d, n, a: a, "expected a number")}),
    "gru-merge-bias": (
        lambda b: b[0, :8] + b[1, :8],
        {"input only": (lambda b: b[0, :8], "only the input bias"),
         "recurrent only": (lambda b: b[1, :8], "only the recurrent bias"),
         "last columns": (lambda b: b[0, 4:] + b[1, 4:], "you took the last 2n"),
         "whole rows": (lambda b: b[0] + b[1], "expected (8,)")}),
}


EXERCISES.update({
    "lstm-step-flops": (
        lambda d, n: 8 * n * (d + n),
        {"multiply-add as 1": (lambda d, n: 4 * n * (d + n), "double your count"),
         "one block": (lambda d, n: 2 * n * (d + n), "that is one block"),
         "no recurrent product": (lambda d, n: 8 * n * d, "recurrent product"),
         "parameters": (lambda d, n: 4 * n * (d + n + 1), "counts parameters")}),
    "article-params": (
        lambda: 24714,
        {"LSTM only": (lambda: 23808, "LSTM layer alone"),
         "trainable BN only": (lambda: 23808 + 128 + 650, "moving mean and variance"),
         "GRU count": (lambda: 3 * 64 * 94 + 256 + 650, "GRU model's count"),
         "the number, not a function": (24714, "expected a function"),
         "a string": (lambda: "24714", "should be a number"),
         "other": (lambda: 25000, "is not the count")}),
    "article-leak": (
        lambda: "a",
        {"random split": (lambda: "b", "validation images come from the test set"),
         "trained on test": (lambda: "C", "x_train only"),
         "standard": (lambda: "d", "no longer estimates"),
         "not a letter": (lambda: "e", "one letter"),
         "a number": (lambda: 1, "one letter")}),
    "paired-interval": (
        lambda a, b: _paired(a, b),
        {"b - a": (lambda a, b: _paired(b, a), "swap the sign"),
         "normal quantile": (lambda a, b: _paired(a, b, q=1.959963984540054), "Student's t"),
         "ddof 0": (lambda a, b: _paired(a, b, ddof=0), "ddof=1"),
         "no sqrt n": (lambda a, b: _paired(a, b, root=False), "divides the standard deviation"),
         "unpaired": (lambda a, b: _unpaired(a, b), "pair the values"),
         "one number": (lambda a, b: 0.01, "two numbers"),
         "text": (lambda a, b: "narrow", "two numbers"),
         "other": (lambda a, b: (0.0, 1.0), "the interval is")}),
})


def _paired(a, b, q=None, ddof=1, root=True):
    from scipy import stats

    d = np.asarray(a) - np.asarray(b)
    q = stats.t.ppf(0.975, len(d) - 1) if q is None else q
    half = q * d.std(ddof=ddof) / (np.sqrt(len(d)) if root else 1.0)
    return d.mean() - half, d.mean() + half


def _unpaired(a, b):
    from scipy import stats

    n = len(a)
    half = stats.t.ppf(0.975, n - 1) * np.sqrt(np.var(a, ddof=1) / n + np.var(b, ddof=1) / n)
    return np.mean(a) - np.mean(b) - half, np.mean(a) - np.mean(b) + half


def _heads(**changes):
    from rnnlab.exercises.ch05_keras import HEAD_TASKS

    table = {**HEAD_TASKS, **changes}
    return lambda task: table[task]


def _stacked(first_returns=True, units=100, activation="sigmoid", shape=(100, 1), cell="GRU"):
    def build():
        import keras

        inputs = keras.Input(shape=shape)
        layer = getattr(keras.layers, cell)
        h = layer(units, return_sequences=first_returns)(inputs)
        h = layer(units)(h)
        return keras.Model(inputs, keras.layers.Dense(1, activation=activation)(h))
    return build


EXERCISES.update({
    "add-feature-axis": (
        lambda x: x[..., None],
        {"middle axis": (lambda x: x[:, None, :], "went in the middle"),
         "batch axis": (lambda x: x[None], "adds a batch axis"),
         "unchanged": (lambda x: x, "needs a third axis"),
         "transposed": (lambda x: x.T[..., None], "swapped"),
         "reshaped wrongly": (lambda x: x.T.reshape(x.shape[0], x.shape[1], 1), "values moved"),
         "None": (lambda x: None, "Did you forget")}),
    "head-and-loss": (
        _heads(),
        {"softmax on one unit": (_heads(gun_or_point=(1, "softmax", "binary_crossentropy")),
                                 "always outputs 1.0"),
         "integer labels, categorical loss": (
             _heads(digits_integer=(10, "softmax", "categorical_crossentropy")), "not one-hot"),
         "sigmoid forecast": (_heads(forecast=(1, "sigmoid", "mse")), "would cap it"),
         "mse for classes": (_heads(digits_onehot=(10, "softmax", "mse")), "one-hot vectors"),
         "two units for binary": (_heads(gun_or_point=(2, "sigmoid", "binary_crossentropy")),
                                  "needs 1 unit"),
         "not a tuple": (lambda task: "mse", "should return a tuple"),
         "units as text": (_heads(forecast=("1", "linear", "mse")), "should be an integer")}),
    "stacked-gru": (
        _stacked(),
        {"no return_sequences": (_stacked(first_returns=False), "return_sequences=True"),
         "50 units": (_stacked(units=50), "both should have 100"),
         "softmax head": (_stacked(activation="softmax"), "'sigmoid'"),
         "wrong input": (_stacked(shape=(50, 1)), "(None, 100, 1)"),
         "LSTM layers": (_stacked(cell="LSTM"), "stacks two GRU"),
         "not a model": (lambda: "model", "return the keras.Model")}),
})


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _min_gru(convention="book", tanh=False, order="zh", bias=True):
    def min_gru_step(x_t, h_prev, W, b):
        n = h_prev.shape[1]
        pre = x_t @ W + (b if bias else 0)
        a_z, a_h = (pre[:, :n], pre[:, n:]) if order == "zh" else (pre[:, n:], pre[:, :n])
        z, h_tilde = _sigmoid(a_z), (np.tanh(a_h) if tanh else a_h)
        if convention == "paper":
            return (1 - z) * h_prev + z * h_tilde
        return z * h_prev + (1 - z) * h_tilde
    return min_gru_step


EXERCISES.update({
    "scan-compose": (
        lambda e, l: (l[0] * e[0], l[0] * e[1] + l[1]),
        {"later first": (lambda e, l: (l[0] * e[0], e[0] * l[1] + e[1]), "applies `later` first"),
         "b2 missing": (lambda e, l: (l[0] * e[0], l[0] * e[1]), "b₂ is missing"),
         "gates added": (lambda e, l: (l[0] + e[0], l[0] * e[1] + l[1]), "product of the two gates"),
         "one array": (lambda e, l: l[0] * e[0], "expected a tuple of 2 arrays")}),
    "scan-rounds": (
        lambda T: int(np.ceil(np.log2(T))),
        {"sequential": (lambda T: T - 1, "loop's depth"),
         "floor": (lambda T: int(np.floor(np.log2(T))), "round down"),
         "one too many": (lambda T: int(np.floor(np.log2(T))) + 1, "one round too many"),
         "returns text": (lambda T: "log2(T)", "expected a number"),
         "fractional": (lambda T: np.ceil(np.log2(T)) + 0.4, "whole number")}),
    "min-gru-step": (
        _min_gru(),
        {"paper convention": (_min_gru(convention="paper"), "Feng et al.'s convention"),
         "tanh candidate": (_min_gru(tanh=True), "no tanh"),
         "blocks swapped": (_min_gru(order="hz"), "order [z | h̃]"),
         "no bias": (_min_gru(bias=False), "bias is missing"),
         "transposed product": (lambda x_t, h_prev, W, b: W @ x_t, "x_t @ W"),
         "returns the gates too": (lambda *args: (_min_gru()(*args), {}), "return h_t alone")}),
})


def _bigram_bits(nats=False, order=2, counted="train", plus_v=True, totals_from="pairs"):
    def bigram_bits(train, test, V, alpha):
        source = train if counted == "train" else test
        pairs = np.zeros((V, V))
        if order == 2:
            np.add.at(pairs, (source[:-1], source[1:]), 1)
            row = pairs.sum(axis=1) if totals_from == "pairs" else np.bincount(source, minlength=V)
            totals = row[test[:-1]]
            counts = pairs[test[:-1], test[1:]]
        else:
            # a learner's unigram: counts of every training character
            uni = np.bincount(source, minlength=V).astype(float)
            counts, totals = uni[test[1:]], np.full(len(test) - 1, uni.sum())
        p = (counts + alpha) / (totals + (alpha * V if plus_v else alpha))
        bits = -np.mean(np.log(p)) if nats else -np.mean(np.log2(p))
        return float(bits)
    return bigram_bits


def _temperature(kind="right"):
    def temperature_probs(logits, tau):
        z = logits / tau if kind != "times" else logits * tau
        if kind == "ignores tau":
            z = logits
        if kind == "global max":
            z = z - z.max()
        elif kind != "unstable":
            z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        if kind == "unnormalised":
            return e
        if kind == "wrong axis":
            return e / e.sum(axis=0, keepdims=True)
        return e / e.sum(axis=-1, keepdims=True)
    return temperature_probs


EXERCISES.update({
    "bits-per-char": (
        lambda loss: loss / np.log(2),
        {"log2 of the loss": (lambda loss: np.log2(loss), "log₂ of the loss"),
         "times ln 2": (lambda loss: loss * np.log(2), "wrong way"),
         "perplexity": (lambda loss: np.exp(loss), "perplexity"),
         "ln 10": (lambda loss: loss / np.log(10), "ln 10"),
         "text": (lambda loss: "bits", "expected a number")}),
    "temperature-probs": (
        _temperature(),
        {"times tau": (_temperature("times"), "multiplies by τ"),
         "ignores tau": (_temperature("ignores tau"), "τ is ignored"),
         "unnormalised": (_temperature("unnormalised"), "do not sum to 1"),
         "wrong axis": (_temperature("wrong axis"), "wrong axis"),
         "unstable": (_temperature("unstable"), "overflow"),
         "global max": (_temperature("global max"), "each row's own largest logit"),
         "returns text": (lambda logits, tau: "probabilities" if np.abs(logits).max() > 100 else
                          _temperature()(logits, tau), "returned a str"),
         "scalar": (lambda logits, tau: 0.5, "shape")}),
    "bigram-cross-entropy": (
        _bigram_bits(),
        {"nats": (_bigram_bits(nats=True), "nats"),
         "unigram": (_bigram_bits(order=1), "unigram"),
         "test counts": (_bigram_bits(counted="test"), "training text only"),
         "no alpha V": (_bigram_bits(plus_v=False), "+ α V"),
         "bincount totals": (_bigram_bits(totals_from="bincount"), "np.bincount(train)"),
         "None": (lambda *a: None, "expected a number")}),
})


def test_every_registered_exercise_is_tested_here_or_in_test_exercises():
    from test_exercises_implement import CASES

    assert set(names()) == set(EXERCISES) | set(CASES) | {"elman-step", "vanishing-lag", "forget-bias-memory"}


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_solution_passes(name, capsys):
    check(name, EXERCISES[name][0])
    assert capsys.readouterr().out.startswith(f"Correct! [{name}]")


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_stub_is_told_it_is_not_implemented(name):
    with pytest.raises(WrongAnswer, match="not implemented yet"):
        check(name, stub)


CASES = [(name, mistake) for name in sorted(EXERCISES) for mistake in sorted(EXERCISES[name][1])]


@pytest.mark.parametrize("name, mistake", CASES, ids=[f"{n}: {m}" for n, m in CASES])
def test_plausible_mistakes_get_their_hint(name, mistake):
    answer, hint = EXERCISES[name][1][mistake]
    with pytest.raises(WrongAnswer) as error:
        check(name, answer)
    assert hint in str(error.value), str(error.value)



def test_scan_compose_accepts_a_pair_returned_as_one_stacked_array(capsys):
    check("scan-compose", lambda e, l: np.stack([l[0] * e[0], l[0] * e[1] + l[1]]))
    assert capsys.readouterr().out.startswith("Correct! [scan-compose]")

