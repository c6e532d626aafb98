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


HINTED = {}
"""Every answer that an exercise's prompt, hint or checker message recommends, by exercise name
and the words that recommend it: each must pass its checker, so that a hint and its checker never
disagree (issue 28). A chapter adds its own with ``HINTED.update({...})`` beside its EXERCISES."""


def _counter(write_f=0.0, reset_f=-10.0, b_i=-5.0, b_f=5.0, b_o=-5.0, value_c=3.0):
    """Chapter 3's counting LSTM unit with a reset (exercise lstm-reset-counter), with one setting
    changed. Rows of W: value, write, reset, read."""
    W = np.array([[0.0, 0.0, value_c, 0.0], [10.0, write_f, 0.0, 0.0],
                  [0.0, reset_f, 0.0, 0.0], [0.0, 0.0, 0.0, 10.0]])
    return W, np.zeros((1, 4)), np.array([b_i, b_f, 0.0, b_o])


def _flip_z(W, U, b, rows=(0, 1), block=0):
    """Chapter 4's gru-convention answer: negate one block (0: z) of W, U and the given bias rows."""
    n = U.shape[0]
    W, U, b = W.copy(), U.copy(), b.copy()
    columns = slice(block * n, (block + 1) * n)
    W[:, columns] *= -1
    U[:, columns] *= -1
    for row in rows:
        b[row, columns] *= -1
    return W, U, b


def _lag_norms(**mistake):
    """Chapter 2's lag-norms answer (a loop over the steps, last first), or with one mistake."""
    from rnnlab.exercises.ch02_gradients import lag_norms_reference

    if mistake:
        return lambda U, h: lag_norms_reference(U, h, **mistake)

    def lag_norms(U, h):
        product, norms = np.eye(len(U)), [1.0]
        for h_t in h[::-1]:                           # h_T first: P <- J_t P
            product = (U * (1 - h_t ** 2)) @ product
            norms.append(np.linalg.norm(product, 2))
        return np.array(norms)

    return lag_norms


def _elman_layer(x, W, U, b, mistake=None):
    """Chapter 1's elman-layer answer, or one of its usual mistakes."""
    h, states = np.zeros((x.shape[0], U.shape[0])), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W + (0 * h if mistake == "no carry" else h) @ U + b)
        states.append(h)
    if mistake == "last":
        return h
    if mistake == "axis 0":
        return np.stack(states)
    if mistake == "h0":
        states.insert(0, np.zeros_like(h))
    return np.stack(states, axis=1)


EXERCISES = {
    "elman-layer": (
        _elman_layer,
        {"last state only": (lambda x, W, U, b: _elman_layer(x, W, U, b, "last"), "the last one"),
         "time on axis 0": (lambda x, W, U, b: _elman_layer(x, W, U, b, "axis 0"),
                            "stacked along the first axis"),
         "h_0 included": (lambda x, W, U, b: _elman_layer(x, W, U, b, "h0"), "h_0 = 0 is"),
         "state not carried": (lambda x, W, U, b: _elman_layer(x, W, U, b, "no carry"),
                               "not carried"),
         "U transposed": (lambda x, W, U, b: _elman_layer(x, W, U.T, b), "U is transposed"),
         "None": (lambda x, W, U, b: None, "forget `return`")}),
    "elman-params": (
        lambda d, n: n * (d + n + 1),
        {"no bias": (lambda d, n: n * (d + n), "biases are missing"),
         "no U": (lambda d, n: n * (d + 1), "recurrent weights U are missing"),
         "string": (lambda d, n: "many", "expected a number"),
         "None": (lambda d, n: None, "expected a number"),
         "off": (lambda d, n: n * (d + n + 1) + 7, "values are off")}),
    "jordan-step": (
        lambda x, y, W, U, b, W_y, b_y: (np.tanh(x @ W + y @ U + b),
                                         np.tanh(x @ W + y @ U + b) @ W_y + b_y),
        {"no feedback": (lambda x, y, W, U, b, W_y, b_y: (np.tanh(x @ W + b),
                                                          np.tanh(x @ W + b) @ W_y + b_y),
                         "add y_{t-1} U"),
         "tanh output": (lambda x, y, W, U, b, W_y, b_y: (
             np.tanh(x @ W + y @ U + b), np.tanh(np.tanh(x @ W + y @ U + b) @ W_y + b_y)),
                         "y_t is linear"),
         "one result": (lambda x, y, W, U, b, W_y, b_y: np.tanh(x @ W + y @ U + b),
                        "tuple of 2 arrays"),
         "h shape": (lambda x, y, W, U, b, W_y, b_y: (np.zeros((5, 3)), np.zeros((3, 2))),
                     "transposed")}),
    "memory-unit": (
        lambda: (6.0, 3.0, -2.0),
        {"the chapter's unit, no bias against the background": (lambda: (3.0, 3.0, 0.0),
                                                                "background alone switches"),
         "bias cancels the background exactly": (lambda: (3.0, 3.0, -0.6), "grows by u"),
         "recurrent weight below 1": (lambda: (6.0, 0.5, -2.0), "the memory fades"),
         "mark too weak for the resting state": (lambda: (2.0, 3.0, -2.0), "outweigh the resting"),
         "two numbers": (lambda: (3.0, 3.0), "three numbers"),
         "text": (lambda: ("3", 3.0, 0.0), "should be a number")}),
    "milestone-order": (
        lambda: ["the Elman network", "the analysis of vanishing gradients", "the LSTM",
                 "the forget gate", "the GRU", "attention", "the Transformer",
                 "minGRU and minLSTM"],
        {"forget gate in 1997": (lambda: ["the Elman network", "the analysis of vanishing gradients",
                                          "the forget gate", "the LSTM", "the GRU", "attention",
                                          "the Transformer", "minGRU and minLSTM"],
                                 "had no forget gate"),
         "GRU before LSTM": (lambda: ["the Elman network", "the analysis of vanishing gradients",
                                      "the GRU", "the LSTM", "the forget gate", "attention",
                                      "the Transformer", "minGRU and minLSTM"], "younger cell"),
         "Transformer first": (lambda: ["the Elman network", "the analysis of vanishing gradients",
                                        "the LSTM", "the forget gate", "the GRU",
                                        "the Transformer", "attention", "minGRU and minLSTM"],
                               "kept attention"),
         "one missing": (lambda: ["the Elman network", "the LSTM", "the forget gate", "the GRU",
                                  "attention", "the Transformer", "minGRU and minLSTM"],
                         "list each event once"),
         "another name": (lambda: ["Elman", "the analysis of vanishing gradients", "the LSTM",
                                   "the forget gate", "the GRU", "attention", "the Transformer",
                                   "minGRU and minLSTM"], "not one of the events"),
         "one string": (lambda: "the Elman network, the LSTM", "list of the events' names")}),
    "bptt-step": (
        lambda dh, h, U: (dh * (1 - h ** 2)) @ U.T,
        {"U not transposed": (lambda dh, h, U: (dh * (1 - h ** 2)) @ U, "U transposed"),
         "no tanh'": (lambda dh, h, U: dh @ U.T, "tanh derivative is missing"),
         "no U": (lambda dh, h, U: dh * (1 - h ** 2), "recurrent weights"),
         "sigmoid'": (lambda dh, h, U: (dh * h * (1 - h)) @ U.T, "sigmoid's derivative"),
         "1 - h": (lambda dh, h, U: (dh * (1 - h)) @ U.T, "not 1 - h_t")}),
    "lag-norms": (
        _lag_norms(),
        {"reversed product": (_lag_norms(order="reversed"), "wrong order"),
         "slope at h_(t-1)": (_lag_norms(slope_at="h_prev"), "one step early"),
         "no tanh'": (_lag_norms(slope="none"), "tanh derivative is missing"),
         "1 - h": (_lag_norms(slope="1 - h"), "not 1 − h_t"),
         "Frobenius": (_lag_norms(norm="fro"), "Frobenius norm"),
         "lag 0 left out": (lambda U, h: _lag_norms()(U, h)[1:], "return T + 1"),
         "None": (lambda U, h: None, "Did you forget")}),
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
    "lstm-reset-counter": (
        lambda: _counter(),
        {"latch": (lambda: _counter(write_f=-10.0), "erases what the cell held"),
         "no reset": (lambda: _counter(reset_f=0.0), "keeps what it held"),
         "weak reset": (lambda: _counter(reset_f=-3.0), "push f_t close to 0"),
         "noise gets in": (lambda: _counter(b_i=0.0), "noise leaks into the cell"),
         "output always open": (lambda: _counter(b_o=5.0), "stay near 0 until it is asked"),
         "small candidate": (lambda: _counter(value_c=1.0), "adds only"),
         "leaky memory": (lambda: _counter(b_f=2.0), "loses"),
         "blocks as i f o c": (lambda: tuple(a[..., [0, 1, 3, 2]] for a in _counter()),
                               "wrong order"),
         "rows as value reset write read": (lambda: (_counter()[0][[0, 2, 1, 3]], *_counter()[1:]),
                                            "rows of W are in the wrong order"),
         "W transposed": (lambda: (_counter()[0].T, *_counter()[1:]), "transposed"),
         "the opening's three features": (
             lambda: (_counter()[0][[0, 1, 3]], *_counter()[1:]), "expected (4, 4)")}),
    "gru-break-step": (
        lambda h, r: np.tanh(r * h),
        {"z alone resets": (lambda h, r: 0 * h, "only r_t = 0"),
         "keeps the old state": (lambda h, r: h, "keeps the old state"),
         "ignores r": (lambda h, r: np.tanh(h), "reset gate is ignored"),
         "r outside the tanh": (lambda h, r: r * np.tanh(h), "inside the candidate's tanh"),
         "1 - r": (lambda h, r: np.tanh((1 - r) * h), "1 − r_t"),
         "no tanh": (lambda h, r: r * h, "candidate has a tanh")}),
    "gru-convention": (
        lambda W, U, b: _flip_z(W, U, b),
        {"unchanged": (lambda W, U, b: (W, U, b), "weights unchanged"),
         "bias kept": (lambda W, U, b: _flip_z(W, U, b, rows=()), "negate the bias too"),
         "input bias row only": (lambda W, U, b: _flip_z(W, U, b, rows=(0,)), "negate both"),
         "reset gate": (lambda W, U, b: _flip_z(W, U, b, block=1), "reset gate"),
         "one minus the weights": (lambda W, U, b: (1 - W, 1 - U, 1 - b), "values are off"),
         "None": (lambda W, U, b: None, "tuple of 3 arrays")}),
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
         "standard: the step is not the uncertainty": (lambda: "d", "as low as 69 %"),
         "not a letter": (lambda: "e", "one letter"),
         "a number": (lambda: 1, "one letter")}),
    "choose-setting": (
        lambda log: _choose(log, "val_accuracy"),
        {"chosen on test": (lambda log: _choose(log, "test_accuracy"), "you chose on the test"),
         "chosen on training accuracy": (lambda log: _choose(log, "train_accuracy"),
                                         "Keras' training accuracy"),
         "one setting for all": (lambda log: _choose_shared(log), "the same setting"),
         "the lowest": (lambda log: _choose(log, "val_accuracy", lowest=True), "the lowest"),
         "the accuracy, not the setting": (
             lambda log: {c: 0.9 for c in _choose(log, "val_accuracy")}, "a setting from the log"),
         "a list": (lambda log: ["Adam 0.001"] * 3, "return a dict"),
         "a cell missing": (lambda log: {"gru": "Adam 0.001"}, "one setting for each cell"),
         "other": (lambda log: {c: "SGD+momentum 0.01" for c in ("simple_rnn", "lstm", "gru")},
                   "for this log the settings are")}),
    "paired-interval": (
        lambda a, b: _paired(a, b),
        {"b - a": (lambda a, b: _paired(b, a), "swap the sign"),
         "normal quantile": (lambda a, b: _paired(a, b, q=1.959963984540054), "Student's t"),
         "1.96 typed in": (lambda a, b: _paired(a, b, q=1.96), "not the normal 1.96"),
         "one-sided quantile": (lambda a, b: _paired(a, b, q=_tq(0.95, len(a) - 1)),
                                "2.5 % on each side"),
         "n degrees of freedom": (lambda a, b: _paired(a, b, q=_tq(0.975, len(a))),
                                  "n − 1 degrees of freedom (one is spent"),
         "ddof 0": (lambda a, b: _paired(a, b, ddof=0), "ddof=1"),
         "no sqrt n": (lambda a, b: _paired(a, b, root=False), "divides the standard deviation"),
         "unpaired": (lambda a, b: _unpaired(a, b), "pair the values"),
         "ttest_ind, pooled": (lambda a, b: _scipy_unpaired(a, b, True), "pooled variances"),
         "ttest_ind, Welch": (lambda a, b: _scipy_unpaired(a, b, False), "Welch"),
         "mean and half-width": (lambda a, b: (np.mean(np.subtract(a, b)),
                                               _paired(a, b)[1] - np.mean(np.subtract(a, b))),
                                 "not the mean and the half-width"),
         "one number": (lambda a, b: 0.01, "two numbers"),
         "text": (lambda a, b: "narrow", "two numbers"),
         "other": (lambda a, b: (0.0, 1.0), "the interval is")}),
})


HINTED.update({
    "paired-interval": {
        "Student's t quantile t.ppf(0.975, n - 1) on the differences d = a[i] − b[i]":
            lambda a, b: _paired(a, b, q=_tq(0.975, len(a) - 1)),
        "scipy.stats.ttest_rel's interval (the paired test)":
            lambda a, b: tuple(stats_ttest_rel(a, b))},
    "choose-setting": {
        "each cell's own highest val_accuracy": lambda log: _choose(log, "val_accuracy")},
})


def stats_ttest_rel(a, b):
    from scipy import stats

    result = stats.ttest_rel(a, b).confidence_interval(0.95)
    return result.low, result.high


def _choose(log, key, lowest=False):
    best = {}
    for run in log:
        held = best.get(run["cell"])
        if held is None or (run[key] < held[key] if lowest else run[key] > held[key]):
            best[run["cell"]] = run
    return {cell: run["setting"] for cell, run in best.items()}


def _choose_shared(log):
    settings = sorted({r["setting"] for r in log})
    mean = {s: np.mean([r["val_accuracy"] for r in log if r["setting"] == s]) for s in settings}
    best = max(settings, key=mean.get)
    return {r["cell"]: best for r in log}


def _tq(level, df):
    from scipy import stats

    return stats.t.ppf(level, df)


def _scipy_unpaired(a, b, equal_var):
    from scipy import stats

    result = stats.ttest_ind(a, b, equal_var=equal_var).confidence_interval(0.95)
    return result.low, result.high


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


def _stacked(first_returns=True, units=100, activation="sigmoid", shape=(150, 1), cell="GRU",
             separate_activation=False, wrapped_cells=False):
    def build():
        import keras

        inputs = keras.Input(shape=shape)
        if wrapped_cells:                       # keras.layers.RNN(keras.layers.GRUCell(100))
            layer = lambda n, **options: keras.layers.RNN(getattr(keras.layers, cell + "Cell")(n),
                                                          **options)
        else:
            layer = getattr(keras.layers, cell)
        h = layer(units, return_sequences=first_returns)(inputs)
        h = layer(units)(h)
        if separate_activation:
            return keras.Model(inputs, keras.layers.Activation(activation)(keras.layers.Dense(1)(h)))
        return keras.Model(inputs, keras.layers.Dense(1, activation=activation)(h))
    return build


def _ops_sigmoid():
    import keras

    return _stacked(activation=keras.ops.sigmoid)()


def _standardise(source="train", ddof=0):
    def standardise(train, validation, test):
        parts = (train, validation, test)
        if source == "own":
            return tuple((p - p.mean()) / p.std() for p in parts)
        fitted = {"train": train, "validation": validation, "test": test,
                  "whole": np.concatenate(parts), "before test": np.concatenate([train, validation])}[source]
        return tuple((p - fitted.mean()) / fitted.std(ddof=ddof) for p in parts)
    return standardise


def _fit_ar(order="reversed", bias=True, part="last"):
    def fit_ar(x, y, p):
        values = x[:, -p:, 0] if part == "last" else x[:, :p, 0]
        if order == "reversed":
            values = values[:, ::-1]
        columns = [values, np.ones((len(x), 1))] if bias else [values]
        solution = np.linalg.lstsq(np.hstack(columns), y, rcond=None)[0]
        return (solution[:-1], solution[-1]) if bias else (solution, 0.0)
    return fit_ar


EXERCISES.update({
    "add-feature-axis": (
        lambda x: x[..., None],
        {"middle axis": (lambda x: x[:, None, :], "went in the middle"),
         "batch axis": (lambda x: x[None], "adds a batch axis"),
         "unchanged": (lambda x: x, "needs a third axis"),
         "transposed": (lambda x: x.T[..., None], "swapped"),
         "reshaped wrongly": (lambda x: x.T.reshape(x.shape[0], x.shape[1], 1), "values moved"),
         "float32": (lambda x: x[..., None].astype("float32"), "came back as float32"),
         "None": (lambda x: None, "Did you forget")}),
    "head-and-loss": (
        _heads(),
        {"softmax on one unit": (_heads(gun_or_point=(1, "softmax", "binary_crossentropy")),
                                 "always outputs 1.0"),
         "integer labels, categorical loss": (
             _heads(digits_integer=(10, "softmax", "categorical_crossentropy")), "not one-hot"),
         "sigmoid forecast": (_heads(forecast=(1, "sigmoid", "mse")), "would cap it"),
         "mse for classes": (_heads(digits_onehot=(10, "softmax", "mse")), "one-hot vectors"),
         "cross-entropy forecast": (_heads(forecast=(1, "linear", "binary_crossentropy")),
                                    "regression loss"),
         "two sigmoid units for binary": (
             _heads(gun_or_point=(2, "sigmoid", "binary_crossentropy")), "needs 1 unit"),
         "two softmax units, one-hot loss, integer labels": (
             _heads(gun_or_point=(2, "softmax", "categorical_crossentropy")),
             "'sparse_categorical_crossentropy'"),
         "two softmax units, binary loss": (
             _heads(gun_or_point=(2, "softmax", "binary_crossentropy")), "one probability per class"),
         "not a tuple": (lambda task: "mse", "should return a tuple"),
         "units as text": (_heads(forecast=("1", "linear", "mse")), "should be an integer"),
         "percentage error for a forecast": (_heads(forecast=(1, "linear", "mape")),
                                             "relative errors"),
         "a loss Keras does not know": (_heads(forecast=(1, "linear", "logcosh")), "'log_cosh'")}),
    "stacked-gru": (
        _stacked(),
        {"no return_sequences": (_stacked(first_returns=False), "return_sequences=True"),
         "50 units": (_stacked(units=50), "both should have 100"),
         "softmax head": (_stacked(activation="softmax"), "'sigmoid'"),
         "the article's 100 steps": (_stacked(shape=(100, 1)), "150 positions"),
         "wrong input": (_stacked(shape=(50, 1)), "(None, 150, 1)"),
         "LSTM layers": (_stacked(cell="LSTM"), "stacks two GRU"),
         "LSTM cells in RNN layers": (_stacked(cell="LSTM", wrapped_cells=True), "stacks two GRU"),
         "tanh after a linear Dense": (_stacked(activation="tanh", separate_activation=True),
                                       "through a sigmoid"),
         "not a model": (lambda: "model", "return the keras.Model")}),
    "ar-least-squares": (
        _fit_ar(),
        {"time order": (_fit_ar(order="time"), "time order"),
         "no bias": (_fit_ar(bias=False), "no bias"),
         "first values": (_fit_ar(part="first"), "first p values"),
         "forecasts instead of weights": (lambda x, y, p: (x[:, -1, 0], 0.0), "shape"),
         "one array": (lambda x, y, p: np.zeros(p + 1), "pair (a, b)"),
         "None": (lambda x, y, p: None, "pair (a, b)")}),
    "scale-without-leaking": (
        _standardise(),
        {"whole series": (_standardise("whole"), "whole series"),
         "each part its own": (_standardise("own"), "its own mean"),
         "training and validation": (_standardise("before test"), "training and validation"),
         "validation statistics": (_standardise("validation"), "validation period's statistics"),
         "test statistics": (_standardise("test"), "test period's statistics"),
         "mean only": (lambda tr, va, te: (tr - tr.mean(), va - tr.mean(), te - tr.mean()),
                       "did not divide"),
         "variance": (lambda tr, va, te: tuple((p - tr.mean()) / tr.var() for p in (tr, va, te)),
                      "divided by the variance"),
         "no centring": (lambda tr, va, te: tuple(p / tr.std() for p in (tr, va, te)),
                         "did not subtract the mean"),
         "min-max": (lambda tr, va, te: tuple((p - tr.min()) / (tr.max() - tr.min())
                                             for p in (tr, va, te)), "min-max"),
         "training only": (lambda tr, va, te: ((tr - tr.mean()) / tr.std(), va, te),
                           "only the training period"),
         "one array": (lambda tr, va, te: np.concatenate(_standardise()(tr, va, te)), "one array"),
         "test scaled wrongly": (lambda tr, va, te: (*_standardise()(tr, va, te)[:2], te),
                                 "the training period is right"),
         "None": (lambda tr, va, te: None, "expected a tuple of 3 arrays")}),
})

HINTED.update({
    "lstm-reset-counter": {
        "the opening's unit without the write flag's weight on f, and a reset row -10 on f":
            _counter,
        "a value weight of 3 (tanh(3) ≈ 0.995)": lambda: _counter(value_c=3.0),
        "larger flags and biases": lambda: tuple(2 * a for a in _counter())},
    "lag-norms": {
        "start from the identity and put each earlier step's Jacobian on the left, P ← J_t P":
            _lag_norms()},
    "forget-bias-memory": {
        "2: chapter 2's norm at bias 1 is far above sigma(1)^50, so the other paths add":
            lambda: 2},
    "gru-break-step": {
        "tanh(mood + r h_{t-1}) with z_t = 0": lambda h, r: 0 * h + (1 - 0) * np.tanh(0 + r * h)},
    "gru-convention": {
        "negate the z block of W, U and both bias rows (1 − σ(a) = σ(−a))": _flip_z},
})


HINTED.update({
    "head-and-loss": {
        "two softmax units with 'sparse_categorical_crossentropy'": _heads(
            gun_or_point=(2, "softmax", "sparse_categorical_crossentropy")),
        "'mse' (or 'mae', 'huber', 'log_cosh')": _heads(forecast=(1, "linear", "mae")),
        "'huber'": _heads(forecast=(1, "linear", "huber")),
        "'log_cosh'": _heads(forecast=(1, "linear", "log_cosh")),
        "mean_squared_error": _heads(forecast=(1, "linear", "mean_squared_error")),
        "activation None": _heads(forecast=(1, None, "mse")),
        "one sigmoid unit with 'binary_crossentropy'": _heads()},
    "stacked-gru": {
        "keras.Input(shape=(150, 1))": _stacked(),
        "any number of steps, None": _stacked(shape=(None, 1)),
        "Dense(1) followed by Activation('sigmoid')": _stacked(separate_activation=True),
        "keras.layers.RNN(keras.layers.GRUCell(100))": _stacked(wrapped_cells=True),
        "activation=keras.ops.sigmoid": _ops_sigmoid},
    "add-feature-axis": {
        "x[..., None]": lambda x: x[..., None],
        "x.reshape(*x.shape, 1)": lambda x: x.reshape(*x.shape, 1)},
    "ar-least-squares": {
        "reverse the columns (x[:, ::-1, 0][:, :p])": lambda x, y, p: (
            lambda s: (s[:-1], s[-1]))(np.linalg.lstsq(
                np.hstack([x[:, ::-1, 0][:, :p], np.ones((len(x), 1))]), y, rcond=None)[0]),
        "or the weights": lambda x, y, p: (
            lambda s: (s[:-1][::-1], s[-1]))(np.linalg.lstsq(
                np.hstack([x[:, -p:, 0], np.ones((len(x), 1))]), y, rcond=None)[0])},
    "scale-without-leaking": {
        "the training period's mean and standard deviation": _standardise(),
        "the sample standard deviation, ddof=1": _standardise(ddof=1)},
})


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _doubling(*args, **kwargs):
    from rnnlab.exercises.ch10_modern import _doubling as doubling

    return doubling(*args, **kwargs)


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
         "returns the gates too": (lambda *args: (_min_gru()(*args), {}), "return h_t alone"),
         "rows split, as for x_t of shape (d,)": (
             lambda x_t, h_prev, W, b: (lambda pre, n: _sigmoid(pre[:n]) * h_prev
                                        + (1 - _sigmoid(pre[:n])) * pre[n:])(x_t @ W + b, h_prev.shape[-1]),
             "not (d,)")}),
    "scan-doubling": (
        lambda a, b: _doubling_scan(a, b),
        {"composed in the wrong order": (lambda a, b: _doubling(a, b, order="swapped"), "wrong order"),
         "one round short": (lambda a, b: _doubling(a, b, rounds_less=1), "one round short"),
         "combined with a later entry": (lambda a, b: _doubling(a, b, direction="later"), "a later one"),
         "B from this round's A": (lambda a, b: _doubling(a, b, stale=True), "A of this round"),
         "states only": (lambda a, b: b, "tuple of 2 arrays"),
         "returns None": (lambda a, b: None, "tuple of 2 arrays")}),
})


def _min_gru_any_shape(x_t, h_prev, W, b):
    """min-gru-step's hint: pre[..., :n] splits the columns of a batch and of a single x_t."""
    n = h_prev.shape[-1]
    pre = x_t @ W + b
    z = _sigmoid(pre[..., :n])
    return z * h_prev + (1 - z) * pre[..., n:]


HINTED.update({
    "min-gru-step": {"pre[..., :n] works for both": _min_gru_any_shape},
    "scan-doubling": {"Start from `A, B = a, b`, use compose(earlier, later)": lambda a, b: _doubling_scan(a, b)},
})


def _doubling_scan(a, b):
    """Exercise scan-doubling's solution, as a learner writes it (with rnnlab's compose)."""
    from rnnlab.cells import compose

    A, B = np.array(a, float), np.array(b, float)
    shift = 1
    while shift < A.shape[1]:
        new_A, new_B = compose((A[:, :-shift], B[:, :-shift]), (A[:, shift:], B[:, shift:]))
        A = np.concatenate([A[:, :shift], new_A], axis=1)
        B = np.concatenate([B[:, :shift], new_B], axis=1)
        shift *= 2
    return A, B


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
    "kneser-ney-bigram": (
        lambda train, V, D: _kn_bigram(train, V, D),
        {"occurrences": (lambda t, V, D: _kn_bigram(t, V, D, lower="occurrences"),
                         "counts continuations, not occurrences"),
         "successors": (lambda t, V, D: _kn_bigram(t, V, D, lower="successors"),
                        "seen after each character"),
         "weight without T": (lambda t, V, D: _kn_bigram(t, V, D, weight="D"), "D T(a) / C(a)"),
         "unsmoothed p_1": (lambda t, V, D: _kn_bigram(t, V, D, lower="unsmoothed"),
                            "p_1 itself is smoothed"),
         "uniform fallback": (lambda t, V, D: _kn_bigram(t, V, D, unseen="uniform"),
                              "falls back to p_1(b), not to the uniform"),
         "NaN rows": (lambda t, V, D: _kn_bigram(t, V, D, unseen="nan"), "C(a) = 0"),
         "transposed": (lambda t, V, D: _kn_bigram(t, V, D).T, "transposed")}),
    "char-lm-keras": (
        lambda V: _char_lm(V),
        {"no return_sequences": (lambda V: _char_lm(V, sequences=False), "return_sequences=True"),
         "softmax head": (lambda V: _char_lm(V, head="softmax"), "Dense(V) with no activation"),
         "vocabulary hard-coded": (lambda V: _char_lm(104), "one row per id"),
         "head too small": (lambda V: _char_lm(V, units_out=V - 1), "one logit per character"),
         "one-hot input": (lambda V: _char_lm(V, one_hot=True), "reads vectors"),
         "bidirectional": (lambda V: _char_lm(V, bidirectional=True), "reads the future"),
         "probabilities loss": (lambda V: _char_lm(V, loss="sparse_categorical_crossentropy"),
                                "from_logits=True"),
         "not compiled": (lambda V: _char_lm(V, loss=None), "not compiled")}),
})


def _kn_bigram(train, V, D, lower="continuations", weight="D T", unseen="p_1"):
    """Chapter 7's interpolated Kneser–Ney bigram with one discount, written with loops over
    dictionaries (independently of the checker), or with one usual mistake."""
    pairs = list(zip(train[:-1].tolist(), train[1:].tolist()))
    count = {}
    for pair in pairs:
        count[pair] = count.get(pair, 0) + 1
    if lower == "occurrences":
        n = {b: sum(c for (_, y), c in count.items() if y == b) for b in range(V)}
    elif lower == "successors":
        n = {b: sum(1 for (x, _) in count if x == b) for b in range(V)}
    else:
        n = {b: sum(1 for (_, y) in count if y == b) for b in range(V)}
    total_n, kinds = sum(n.values()), sum(1 for v in n.values() if v > 0)
    p1 = [n[b] / total_n if lower == "unsmoothed"
          else max(n[b] - D, 0) / total_n + D * kinds / total_n / V for b in range(V)]
    P = np.zeros((V, V))
    for a in range(V):
        after = {b: c for (x, b), c in count.items() if x == a}
        total = sum(after.values())
        for b in range(V):
            if total == 0:
                P[a, b] = {"p_1": p1[b], "uniform": 1 / V, "nan": np.nan}[unseen]
                continue
            gamma = D * len(after) / total if weight == "D T" else D / total
            P[a, b] = max(after.get(b, 0) - D, 0) / total + gamma * p1[b]
    return P


def _char_lm(V, sequences=True, head=None, units_out=None, one_hot=False, bidirectional=False,
             loss="logits"):
    """Chapter 7's char-lm-keras answer, or one of its usual mistakes."""
    import keras

    if one_hot:
        layers = [keras.Input(shape=(None, V))]
    else:
        layers = [keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(V, 16)]
    gru = keras.layers.GRU(32, return_sequences=sequences)
    layers += [keras.layers.Bidirectional(gru) if bidirectional else gru,
               keras.layers.Dense(units_out or V, activation=head)]
    model = keras.Sequential(layers)
    if loss is not None:
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=(
            keras.losses.SparseCategoricalCrossentropy(from_logits=True) if loss == "logits" else loss))
    return model


HINTED.update({
    "bits-per-char": {"bpc = loss / ln 2": lambda loss: loss / np.log(2)},
    "temperature-probs": {"shift each row by its own maximum": _temperature()},
    "bigram-cross-entropy": {
        "C(c) counts the pairs c starts (not np.bincount(train))": _bigram_bits()},
    "kneser-ney-bigram": {
        "a context never seen falls back to p_1(b) entirely": lambda t, V, D: _kn_bigram(t, V, D),
        "p_1 counts the different characters seen before b": lambda t, V, D: _kn_bigram(t, V, D)},
    "char-lm-keras": {
        "Embedding(V, 16), GRU(32, return_sequences=True), Dense(V), from_logits=True":
            lambda V: _char_lm(V)},
})



# --- chapter 8: sequence to sequence ---------------------------------------------------------

def _greedy_answer(step, state, start, end, max_steps):
    """Chapter 8's greedy-decode answer, written independently of the checker."""
    out, symbol = [], start
    for _ in range(max_steps):
        logits, state = step(symbol, state)
        symbol = int(np.argmax(logits))
        if symbol == end:
            break
        out.append(symbol)
    return out


def _teacher_forcing_answer(answer, width):
    """Chapter 8's teacher-forcing answer, written independently of the checker."""
    target = answer + "$" + " " * (width - len(answer) - 1)
    return "^" + target[:-1], target


def _greedy_mistake(mistake):
    from rnnlab.exercises.ch08_seq2seq import _greedy

    return lambda step, state, start, end, max_steps: _greedy(step, state, start, end, max_steps,
                                                              mistake)


EXERCISES.update({
    "independent-exact": (
        lambda accuracy, lengths: np.mean(accuracy ** lengths),
        {"power of the mean": (lambda a, L: a ** np.mean(L), "power of the mean"),
         "union bound": (lambda a, L: np.mean(1 - (1 - a) * L), "adds up the chances"),
         "complement": (lambda a, L: np.mean(1 - a ** L), "at least one wrong symbol"),
         "product over answers": (lambda a, L: a ** np.sum(L), "every answer"),
         "symbol accuracy": (lambda a, L: a, "per-symbol accuracy itself"),
         "array": (lambda a, L: a ** L, "returned a ndarray")}),
    "teacher-forcing": (
        _teacher_forcing_answer,
        {"no shift": (lambda s, w: ((s + "$").ljust(w),) * 2, "copy the symbol"),
         "input too long": (lambda s, w: ("^" + (s + "$").ljust(w), (s + "$").ljust(w)),
                            "one symbol longer"),
         "no end symbol": (lambda s, w: (("^" + s).ljust(w), s.ljust(w)), "never learn to stop"),
         "swapped": (lambda s, w: tuple(reversed(_teacher_forcing_answer(s, w))), "swapped"),
         "start symbol in the target": (lambda s, w: (_teacher_forcing_answer(s, w)[0],) * 2,
                                        "predict '^'"),
         "reversed answer": (lambda s, w: _teacher_forcing_answer(s[::-1], w), "never the answer"),
         "padded on the left": (lambda s, w: (("^" + (s + "$").rjust(w))[:w], (s + "$").rjust(w)),
                                "on the left"),
         "no end symbol read": (lambda s, w: (("^" + s).ljust(w), (s + "$").ljust(w)),
                                "reads '$' at the step after the end"),
         "no padding": (lambda s, w: ("^" + s, s + "$"), "width characters long"),
         "one string": (lambda s, w: "^" + s + "$", "a pair of strings"),
         "lists of ids": (lambda s, w: ([0] + [int(c) for c in s], [int(c) for c in s] + [1]),
                          "both parts must be strings"),
         "None": (lambda s, w: None, "forget `return`")}),
    "greedy-decode": (
        _greedy_answer,
        {"keeps the end symbol": (_greedy_mistake("keeps the end symbol"), "without appending it"),
         "keeps going": (_greedy_mistake("keeps going"), "goes on after the end symbol"),
         "no feedback": (_greedy_mistake("no feedback"), "every step reads the start symbol"),
         "state not carried": (_greedy_mistake("state not carried"), "from the first state"),
         "one more step": (_greedy_mistake("one more step"), "one step too many"),
         "one step short": (_greedy_mistake("one step short"), "one step too few"),
         "keeps the start symbol": (_greedy_mistake("keeps the start symbol"), "starts with the start"),
         "argmin": (lambda step, state, start, end, n: [int(np.argmin(step(start, state)[0]))],
                    "your function returned"),
         "None": (lambda *a: None, "forget `return`")}),
})

HINTED.update({
    "independent-exact": {
        "raise the accuracy to each answer's own length, then average":
            lambda accuracy, lengths: np.mean(accuracy ** np.asarray(lengths)),
        "the mean of accuracy ** L": lambda a, L: float(np.mean(a ** L))},
    "teacher-forcing": {
        "the target is the answer, '$' and spaces; the input is the target shifted right behind '^'":
            _teacher_forcing_answer},
    "greedy-decode": {
        "stop at the end symbol without appending it; feed each symbol back with the new state":
            _greedy_answer},
})

def _attention_step(kind="right"):
    def attention_step(query, memory):
        e = np.einsum("bn,bsn->bs", query, memory)
        if kind == "scaled":
            e = e / np.sqrt(memory.shape[-1])
        axis = 0 if kind == "batch axis" else -1
        if kind == "global max":
            e = e - e.max()
        elif kind != "unstable":
            e = e - e.max(axis=axis, keepdims=True)
        w = np.exp(e)
        if kind == "no softmax":
            w = np.einsum("bn,bsn->bs", query, memory)
        elif kind != "unnormalised":
            w = w / w.sum(axis=axis, keepdims=True)
        if kind == "scores as weights for the context":
            ctx = np.einsum("bs,bsn->bn", np.einsum("bn,bsn->bs", query, memory), memory)
        elif kind == "mean":
            ctx = memory.mean(axis=1)
        else:
            ctx = np.einsum("bs,bsn->bn", w, memory)
        return ctx, w
    return attention_step


def _beam(kind="right"):
    def beam_step(scores, log_probs, width):
        k, V = log_probs.shape
        total = scores[:, None] + log_probs
        if kind == "log_probs alone":
            total = log_probs + 0 * scores[:, None]
        if kind == "multiplied":
            total = scores[:, None] * log_probs
        flat = total.ravel()
        if kind == "per row":
            order = np.concatenate([i * V + np.argsort(-log_probs[i], kind="stable")[:width]
                                    for i in range(k)])[:width]
        elif kind == "ascending":
            order = np.argsort(flat, kind="stable")[:width]
        else:
            order = np.argsort(-flat, kind="stable")[:width]
        if kind == "swapped":
            return order % V, order // V, flat[order]
        if kind == "flat index":
            return order
        return order // V, order % V, (scores[:, None] + log_probs).ravel()[order]
    return beam_step


def _best(score):
    return lambda log_probs, lengths, alpha: int(np.argmax(score(log_probs, lengths, alpha)))


def _top_p(kind="right"):
    def nucleus(probs, p):
        if kind == "threshold":
            keep = probs >= p
        else:
            order = np.argsort(probs if kind == "ascending" else -probs, axis=-1, kind="stable")
            if kind == "unsorted":
                order = np.tile(np.arange(probs.shape[-1]), (len(probs), 1))
            sorted_probs = np.take_along_axis(probs, order, axis=-1)
            cumulative = np.cumsum(sorted_probs, axis=-1)
            keep_sorted = cumulative <= p if kind == "drops crossing" else cumulative - sorted_probs < p
            keep = np.zeros_like(keep_sorted)
            np.put_along_axis(keep, order, keep_sorted, axis=-1)
        kept = np.where(keep, probs, 0.0)
        if kind == "no renormalisation":
            return kept
        return kept / kept.sum(axis=-1, keepdims=True)
    return nucleus


EXERCISES.update({
    "attention-step": (
        _attention_step(),
        {"softmax over the batch": (_attention_step("batch axis"), "wrong axis"),
         "no softmax": (_attention_step("no softmax"), "raw scores"),
         "unnormalised": (_attention_step("unnormalised"), "do not sum to 1"),
         "context from the scores": (_attention_step("scores as weights for the context"),
                                     "built from the scores"),
         "scaled dot product": (_attention_step("scaled"), "√n"),
         "mean of the memory": (_attention_step("mean"), "plain mean"),
         "unstable": (_attention_step("unstable"), "own maximum"),
         "shifted by the batch's maximum": (_attention_step("global max"), "whole batch"),
         "one array": (lambda q, m: np.zeros((len(q), m.shape[-1])), "tuple of 2 arrays")}),
    "beam-step": (
        _beam(),
        {"log_probs alone": (_beam("log_probs alone"), "alone"),
         "per row": (_beam("per row"), "all k · V extensions together"),
         "swapped": (_beam("swapped"), "index // V"),
         "ascending": (_beam("ascending"), "worst extensions"),
         "multiplied": (_beam("multiplied"), "add up"),
         "flat index": (_beam("flat index"), "tuple of 3 arrays")}),
    "best-hypothesis": (
        _best(lambda lp, n, a: lp / n ** a),
        {"alpha ignored": (_best(lambda lp, n, a: lp / n), "α is ignored"),
         "no normalisation": (_best(lambda lp, n, a: lp), "no length normalisation"),
         "multiplied": (_best(lambda lp, n, a: lp * n ** a), "multiplied"),
         "argmin": (_best(lambda lp, n, a: -lp / n ** a), "worst"),
         "alpha times length": (_best(lambda lp, n, a: lp / (a * n + 1e-12)), "power α"),
         "returns the score": (lambda lp, n, a: float(np.max(lp / n ** a)), "index (an int)")}),
    "top-p-filter": (
        _top_p(),
        {"drops the crossing symbol": (_top_p("drops crossing"), "carries the total past p"),
         "unsorted": (_top_p("unsorted"), "not sorted"),
         "ascending": (_top_p("ascending"), "least likely"),
         "no renormalisation": (_top_p("no renormalisation"), "do not sum to 1"),
         "threshold": (_top_p("threshold"), "not a threshold"),
         "top-k": (lambda probs, p: _top_k_share(probs, p), "top-k"),
         "None": (lambda probs, p: None, "Did you forget")}),
})


def _top_k_share(probs, p):
    k = max(1, int(p * probs.shape[-1]))
    kth = np.sort(probs, axis=-1)[..., -k][..., None]
    kept = np.where(probs >= kth, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def _attention_backward(kind="right"):
    def attention_backward(d_ctx, query, memory):
        e = memory @ query
        alpha = np.exp(e - e.max())
        alpha = alpha / alpha.sum()
        d_alpha = memory @ d_ctx
        d_e = alpha * d_alpha if kind == "no centring" else alpha * (d_alpha - alpha @ d_alpha)
        if kind == "no softmax":
            d_e = d_alpha
        d_query = d_ctx if kind == "context gradient" else memory.T @ d_e
        d_memory = np.outer(d_e, query) if kind != "no key path" else 0 * memory
        if kind != "no value path":
            d_memory = d_memory + np.outer(alpha, d_ctx)
        return d_query, d_memory
    return attention_backward


EXERCISES["attention-backward"] = (
    _attention_backward(),
    {"softmax Jacobian without -alpha alpha^T": (_attention_backward("no centring"), "−α αᵀ"),
     "softmax skipped": (_attention_backward("no softmax"), "softmax is skipped"),
     "context gradient as the query's": (_attention_backward("context gradient"), "passed straight"),
     "memory without its value path": (_attention_backward("no value path"), "value path"),
     "memory without its key path": (_attention_backward("no key path"), "key path"),
     "one array": (lambda d, q, m: m, "tuple of 2 arrays")})


def test_the_attention_backward_solution_matches_finite_differences():
    rng = np.random.default_rng(8)
    query, memory, d_ctx = rng.normal(size=4), rng.normal(size=(5, 4)), rng.normal(size=4)
    d_query, d_memory = _attention_backward()(d_ctx, query, memory)

    def loss(q, m):
        e = m @ q
        a = np.exp(e - e.max())
        return float((a / a.sum()) @ m @ d_ctx)

    eps = 1e-6
    numeric_q = np.array([(loss(query + eps * u, memory) - loss(query - eps * u, memory)) / (2 * eps)
                          for u in np.eye(4)])
    numeric_m = np.zeros_like(memory)
    for i, j in np.ndindex(*memory.shape):
        bump = np.zeros_like(memory)
        bump[i, j] = eps
        numeric_m[i, j] = (loss(query, memory + bump) - loss(query, memory - bump)) / (2 * eps)
    np.testing.assert_allclose(d_query, numeric_q, atol=1e-8)
    np.testing.assert_allclose(d_memory, numeric_m, atol=1e-8)


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


HINT_CASES = [(name, hint) for name in sorted(HINTED) for hint in sorted(HINTED[name])]


@pytest.mark.parametrize("name, hint", HINT_CASES, ids=[f"{n}: {h}" for n, h in HINT_CASES])
def test_every_answer_a_hint_recommends_passes_its_checker(name, hint, capsys):
    check(name, HINTED[name][hint])
    assert capsys.readouterr().out.startswith(f"Correct! [{name}]")



def test_scan_compose_accepts_a_pair_returned_as_one_stacked_array(capsys):
    check("scan-compose", lambda e, l: np.stack([l[0] * e[0], l[0] * e[1] + l[1]]))
    assert capsys.readouterr().out.startswith("Correct! [scan-compose]")

