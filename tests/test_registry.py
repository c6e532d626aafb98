"""The cell registry: a cell is declared once, and the generic code never asks which cell it is."""
import re
from pathlib import Path

import numpy as np
import pytest

from rnnlab import bptt, cells, gradients
from rnnlab.cells import CellSpec, RNN, count_params, registry, spec, step_flops
from rnnlab.cells.registry import previous

ROOT = Path(__file__).resolve().parent.parent
# every module but the exercise checkers (chapter content that may name a layer) and
# rnnlab/gradients.py, whose one LSTM-only function is tested below
GENERIC = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rnnlab").rglob("*.py")
                 if "exercises" not in p.parts and p.name != "gradients.py")


@pytest.mark.parametrize("path", GENERIC)
def test_generic_code_never_branches_on_a_cell_name(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    branches = re.findall(r"(?:==|!=|\bin)\s*\(?\s*[\"'](?:simple_rnn|lstm|gru|LSTM|GRU|SimpleRNN)[\"']", source)
    assert not branches, f"{path} asks which cell it runs: {branches}"


def test_the_gradient_tools_branch_only_in_the_lstm_specific_function():
    source = (ROOT / "rnnlab/gradients.py").read_text(encoding="utf-8")
    generic = source[:source.index("def lstm_rest_jacobian")] + source[source.index("def log_slope"):]
    assert not re.search(r"==\s*[\"'](?:lstm|gru|LSTM)[\"']", generic)


def test_every_registered_cell_is_self_consistent():
    for name in cells.names():
        cell_spec = spec(name)
        assert cell_spec.name == name and cell_spec.states[0] == "h"
        assert len(set(cell_spec.blocks)) == cell_spec.gates
        for variant in cell_spec.variants:
            assert set(variant) == set(cell_spec.options)
        assert set(cell_spec.defaults) == set(cell_spec.options)
        assert cell_spec.recurrent_gates in (0, cell_spec.gates)
    # the registry is every module of rnnlab/cells that defines a SPEC, in their declared order
    modules = {p.stem for p in (ROOT / "rnnlab" / "cells").glob("*.py")
               if "SPEC = register(" in p.read_text(encoding="utf-8")}
    assert len(cells.CELLS) == len(modules)
    assert [spec(n).order for n in cells.CELLS] == sorted(spec(n).order for n in cells.CELLS)
    assert cells.KERAS_NAMES == {spec(n).keras_class: n for n in cells.CELLS}


def test_registering_twice_under_one_name_is_refused():
    with pytest.raises(ValueError, match="registered already"):
        registry.register(CellSpec(**{**spec("lstm").__dict__, "label": "another LSTM"}))


# A cell that is not in Keras: the linear recurrence h_t = x_t W + h_{t-1} U + b. It needs only
# its spec (what a new module in rnnlab/cells/ would hold) to run forward, backward and be counted.
def _linear_step(x_t, states, W, U, b):
    return [x_t @ W + states[0] @ U + b], {}


def _linear_step_back(rnn, run, t, carry, grads):
    x_t, h_prev, da = run["x"][:, t], previous(run, "h", t), carry["h"]
    grads["W"] += x_t.T @ da
    grads["U"] += h_prev.T @ da
    grads["b"] += da.sum(axis=0)
    carry["h"] = da @ rnn.U.T
    return da @ rnn.W.T


@pytest.fixture
def linear_cell():
    toy = registry.register(CellSpec(
        name="linear", keras_class="LinearRNN", label="linear RNN", color="#000000", order=9,
        blocks=("h",), states=("h",), step=_linear_step, step_back=_linear_step_back))
    yield toy
    registry._REGISTRY.pop("linear")


def test_a_new_cell_needs_nothing_but_its_spec(linear_cell):
    rng = np.random.default_rng(0)
    rnn = RNN("linear", rng.normal(size=(2, 3)), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=3))
    x = rng.normal(size=(2, 5, 2))
    run = rnn.forward(x)
    h = np.zeros((2, 3))
    for t in range(5):
        h = x[:, t] @ rnn.W + h @ rnn.U + rnn.b
    np.testing.assert_allclose(run["h"][:, -1], h)
    G = rng.normal(size=run["h"].shape)
    grads = bptt.backward(rnn, run, G)
    numeric = bptt.numerical_gradient(lambda: float(np.sum(G * rnn.forward(x)["h"])), rnn.U)
    assert bptt.relative_error(grads["U"], numeric) < 1e-7
    norms = gradients.jacobian_norms(rnn, x[:1])
    assert norms[0] == pytest.approx(1.0) and len(norms) == 6
    assert count_params("linear", 2, 3) == 3 * (2 + 3 + 1) and step_flops("linear", 2, 3) == 2 * 3 * 5
    assert spec("linear").label == "linear RNN" and "linear" in cells.names()


def test_a_cell_can_bring_its_own_keras_layer(linear_cell):
    made = []

    def factory(units, **options):
        made.append((units, options))
        return ("a Keras layer", units)

    toy = CellSpec(**{**linear_cell.__dict__, "keras_factory": factory})
    assert toy.keras_layer(4, return_sequences=True) == ("a Keras layer", 4)
    assert made == [(4, {"return_sequences": True})]
    import keras

    assert isinstance(spec("gru").keras_layer(3, reset_after=False), keras.layers.GRU)


def _leaky_step(x_t, states, W, U, b, leak):
    return [leak * states[0] + (1 - leak) * np.tanh(x_t @ W + states[0] @ U + b)], {}


def test_a_cell_with_its_own_option_is_built_counted_and_run_through_the_generic_code():
    leaky = registry.register(CellSpec(
        name="leaky", keras_class="LeakyRNN", label="leaky RNN", color="#000000", order=10,
        blocks=("h",), states=("h",), step=_leaky_step, step_back=_linear_step_back,
        options=("leak",), variants=({"leak": 0.5},)))
    try:
        rnn = cells.random_rnn("leaky", 2, 3, leak=0.25)
        assert rnn.options == {"leak": 0.25}
        x = np.ones((1, 4, 2))
        h = np.zeros((1, 3))
        for t in range(4):
            h = 0.25 * h + 0.75 * np.tanh(x[:, t] @ rnn.W + h @ rnn.U + rnn.b)
        np.testing.assert_allclose(rnn(x), h)
        assert count_params("leaky", 2, 3, leak=0.5) == 3 * (2 + 3 + 1)
        assert RNN("leaky", rnn.W, rnn.U, rnn.b).options == {"leak": 0.5}  # the first variant's
        with pytest.raises(TypeError, match="leaky has no option reset_after .its options: leak"):
            RNN("leaky", rnn.W, rnn.U, rnn.b, reset_after=False)
        assert leaky.variants == ({"leak": 0.5},)
    finally:
        registry._REGISTRY.pop("leaky")
