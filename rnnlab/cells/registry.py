"""The cell registry: what each recurrent cell is, declared once.

Each cell of the course is one module of :mod:`rnnlab.cells` that defines ``SPEC``, a
:class:`CellSpec`, in the spirit of Keras' ``state_size`` contract: the cell says what it is
(its name, Keras class, label and colour, weight blocks, states, bias shape, options) and gives
its forward step beside its backward step. The generic code (the :class:`~rnnlab.cells.RNN`
loop, :func:`rnnlab.bptt.backward`, the gradient tools, model builders, plots, the comparison
harness and the command line) reads the registry and never asks which cell it is running.

Adding a cell is one new module in ``rnnlab/cells/`` with a ``SPEC``: it is found and
registered when :mod:`rnnlab.cells` is imported, and the parametrised tests pick it up.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CellSpec:
    """Everything the generic code needs to know about one recurrent cell.

    Attributes:
        name: the course's name, e.g. ``"lstm"`` (the key of the registry).
        keras_class: the Keras layer's class name, e.g. ``"LSTM"``.
        label: the name figures and tables print.
        color: the colour figures draw it in.
        order: its place in listings (the simple RNN first).
        blocks: the names of the blocks of ``units`` columns of W, U and b, in Keras' order
            (``book/notation.md``): ``("i", "f", "c_tilde", "o")`` for the LSTM.
        states: the state vectors carried from step to step, h first: ``("h", "c")``.
        step: ``step(x_t, states, W, U, b, **options) -> (new_states, gates)`` with ``states`` a
            list in the order of ``states`` and ``gates`` a dict of (batch, units) arrays.
        step_back: ``step_back(rnn, run, t, carry, grads) -> dL/dx_t``: one backward step;
            ``carry`` holds dL/d(state) flowing back and is updated in place to the previous
            step's, ``grads`` accumulates the weight gradients.
        options: the :class:`~rnnlab.cells.RNN` attributes the cell reads (passed to ``step``,
            copied from and to the Keras layer), e.g. ``("reset_after",)``.
        variants: the option settings that are different layers, for tests and listings; the
            first gives each option's default (``{"reset_after": True}`` for the GRU).
        bias_shape: ``bias_shape(units, **options)``; default ``(len(blocks) * units,)``.
        keras_factory: ``keras_factory(units, **options)`` making the Keras layer, for a cell
            whose layer is not in ``keras.layers`` (default: ``keras.layers.<keras_class>``).
        recurrent: False for a cell whose gates and candidate read x_t only, never h_{t-1}
            (the minimal GRU and LSTM): its U has no columns, shape (units, 0).
    """

    name: str
    keras_class: str
    label: str
    color: str
    order: int
    blocks: tuple[str, ...]
    states: tuple[str, ...]
    step: Callable[..., tuple[list[np.ndarray], dict[str, np.ndarray]]]
    step_back: Callable[..., np.ndarray]
    options: tuple[str, ...] = ()
    variants: tuple[Mapping[str, Any], ...] = ({},)
    bias_shape: Callable[..., tuple[int, ...]] | None = field(default=None)
    keras_factory: Callable[..., Any] | None = field(default=None)
    recurrent: bool = True

    @property
    def gates(self) -> int:
        """How many blocks of ``units`` columns W has (and U, for a recurrent cell): 1, 4 or 3."""
        return len(self.blocks)

    @property
    def recurrent_gates(self) -> int:
        """How many blocks of ``units`` columns U has: ``gates``, or 0 when nothing reads h_{t-1}."""
        return self.gates if self.recurrent else 0

    def keras_layer(self, units: int, **options: Any) -> Any:
        """The cell's Keras layer with ``units`` units (options such as ``return_sequences``)."""
        if self.keras_factory is not None:
            return self.keras_factory(units, **options)
        import keras

        return getattr(keras.layers, self.keras_class)(units, **options)

    @property
    def defaults(self) -> dict[str, Any]:
        """The value of each of the cell's options when none is given: its first variant's."""
        return {name: self.variants[0][name] for name in self.options}

    def bias(self, units: int, **options: Any) -> tuple[int, ...]:
        """The shape of Keras' bias for this cell and these options."""
        if self.bias_shape is None:
            return (self.gates * units,)
        return self.bias_shape(units, **options)


_REGISTRY: dict[str, CellSpec] = {}


def register(spec: CellSpec) -> CellSpec:
    """Add a cell to the registry (done by each cell module when it is imported)."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"a cell named {spec.name!r} is registered already")
    if not spec.states or spec.states[0] != "h":
        raise ValueError(f"{spec.name}: states must start with 'h', got {spec.states}")
    _REGISTRY[spec.name] = spec
    return spec


def names() -> tuple[str, ...]:
    """The registered cells' names, in their ``order``."""
    return tuple(sorted(_REGISTRY, key=lambda n: (_REGISTRY[n].order, n)))


def spec(name: str) -> CellSpec:
    """The :class:`CellSpec` of a cell, or a ValueError that lists the valid names."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown cell {name!r}; expected one of {', '.join(names())}")
    return _REGISTRY[name]


def by_keras_class(class_name: str) -> CellSpec | None:
    """The spec whose Keras layer class is ``class_name`` (``"LSTM"``), or None."""
    return next((s for s in _REGISTRY.values() if s.keras_class == class_name), None)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic sigmoid σ(a) = 1 / (1 + exp(-a)), computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def previous(run: Mapping[str, Any], key: str, t: int) -> np.ndarray:
    """State ``key`` at step t − 1 of a forward record (its initial value at t = 0)."""
    return run[key][:, t - 1] if t > 0 else run[key + "0"]


def input_gated(step_fn: Callable[..., tuple[np.ndarray, dict[str, np.ndarray]]],
                step_backward: Callable[..., tuple[np.ndarray, ...]]
                ) -> tuple[Callable[..., Any], Callable[..., np.ndarray]]:
    """The registry's ``step`` and ``step_back`` of a cell that never reads h_{t-1} in its gates.

    Such a cell (the minimal GRU and LSTM) has no U, so its own functions take
    ``step_fn(x_t, h_prev, W, b) -> (h_t, gates)`` and
    ``step_backward(dh_t, cache) -> (dx_t, dh_prev, dW, db)`` with the cache holding ``x_t``,
    ``h_prev``, ``W`` and the step's gates; this adapts them to :class:`CellSpec`'s forms.
    """

    def step(x_t: np.ndarray, states: list[np.ndarray], W: np.ndarray, U: np.ndarray,
             b: np.ndarray) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
        h_t, gates = step_fn(x_t, states[0], W, b)
        return [h_t], gates

    def step_back(rnn: Any, run: Mapping[str, Any], t: int, carry: dict, grads: dict) -> np.ndarray:
        cache = {name: gate[:, t] for name, gate in run["gates"].items()}
        cache.update(x_t=run["x"][:, t], h_prev=previous(run, "h", t), W=rnn.W)
        dx, carry["h"], dW, db = step_backward(carry["h"], cache)
        grads["W"] += dW
        grads["b"] += db
        return dx

    return step, step_back
