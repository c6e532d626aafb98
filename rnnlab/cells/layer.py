"""NumPy reference cells that compute exactly what Keras' recurrent layers compute.

Vectors are rows, as in Keras: a batch of inputs ``x_t`` has shape (batch, features), a batch of
states ``h_t`` has shape (batch, units), and a layer computes ``x_t W + h_{t-1} U + b``. Every
step does one matrix product for all gates together, as Keras does, then splits the result.

Keras' weight layout, which :func:`from_keras` and :func:`to_keras` read and write:

* ``SimpleRNN``: ``kernel`` W (features, units), ``recurrent_kernel`` U (units, units),
  ``bias`` b (units,).
* ``LSTM``: W (features, 4 units), U (units, 4 units), b (4 units,); the blocks of ``units``
  columns are, in order, input gate i, forget gate f, candidate c~, output gate o. With
  ``unit_forget_bias=True`` (the default) the forget block of b is initialised to 1.
* ``GRU``: W (features, 3 units), U (units, 3 units); blocks update gate z, reset gate r,
  candidate h~. With ``reset_after=True`` (the default) b has shape (2, 3 units): row 0 is added
  to x_t W, row 1 to h_{t-1} U, and the reset gate multiplies (h_{t-1} U_h + b_h) *after* the
  product. With ``reset_after=False`` (Cho et al. 2014) b has shape (3 units,) and the reset gate
  multiplies h_{t-1} *before* the product with U_h.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, by_keras_class, names, spec
from rnnlab.checks import integer


def bias_shape(cell: str, units: int, **options: Any) -> tuple[int, ...]:
    """Shape of Keras' bias for a cell and its own options (see :class:`CellSpec`): (k units,),
    or (2, 3 units) for a GRU with ``reset_after=True``."""
    cell_spec = spec(cell)
    return cell_spec.bias(units, **cell_options(cell_spec, options))


def cell_options(cell_spec: CellSpec, given: dict[str, Any]) -> dict[str, Any]:
    """The values of the options a cell declares (``CellSpec.options``): those ``given``, the
    cell's defaults for the rest.

    Raises:
        TypeError: for a name the cell does not declare, listing those it does.
    """
    unknown = sorted(set(given) - set(cell_spec.options))
    if unknown:
        declared = ", ".join(cell_spec.options) or "none"
        raise TypeError(f"{cell_spec.name} has no option {', '.join(unknown)} (its options: "
                        f"{declared})")
    return {**cell_spec.defaults, **given}


def as_state_list(initial_state: Any) -> list[Any]:
    """Keras accepts one state or a list of states; return a list either way."""
    if isinstance(initial_state, (list, tuple)):
        return list(initial_state)
    return [initial_state]


@dataclass(init=False)
class RNN:
    """A NumPy recurrent layer with Keras' weights and options; call it like the Keras layer.

    Args:
        cell: a registered cell's name: ``"simple_rnn"``, ``"lstm"``, ``"gru"``, ...
        W: kernel, shape (features, k units) with k the cell's number of blocks (1, 4, 3).
        U: recurrent kernel, shape (units, k units).
        b: bias, of the shape the cell declares (``bias_shape``).
        return_sequences: return h_t for every step (batch, timesteps, units), not only h_T.
        return_state: also return the final states, as Keras does: ``[output, h_T]``, or
            ``[output, h_T, c_T]`` for an LSTM.
        go_backwards: read the sequence from its last step to its first (outputs come in the
            order they were computed, as in Keras).
        **options: the cell's own options (``CellSpec.options``, e.g. the GRU's
            ``reset_after``); the cell's defaults for those not given.
    """

    cell: str
    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    return_sequences: bool
    return_state: bool
    go_backwards: bool
    options: dict[str, Any]
    units: int
    spec: CellSpec = field(repr=False, compare=False)

    def __init__(self, cell: str, W: np.ndarray, U: np.ndarray, b: np.ndarray, *,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, **options: Any) -> None:
        self.cell = cell
        self.spec = spec(cell)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.options = cell_options(self.spec, options)
        self.W, self.U, self.b = (np.asarray(a) for a in (W, U, b))
        k, k_u = self.spec.gates, self.spec.recurrent_gates
        if self.U.ndim != 2 or self.U.shape[1] != k_u * self.U.shape[0]:
            raise ValueError(f"{self.cell}: U must have shape (units, {k_u} * units), "
                             f"got {self.U.shape}")
        self.units = self.U.shape[0]
        if self.W.ndim != 2 or self.W.shape[1] != k * self.units:
            raise ValueError(f"{self.cell}: W must have shape (features, {k * self.units}) for "
                             f"{self.units} units, got {self.W.shape}")
        expected = self.spec.bias(self.units, **self.options)
        if self.b.shape != expected:
            raise ValueError(f"{self.cell}: b must have shape {expected}, got {self.b.shape}")
        for name in ("W", "U", "b"):
            array = getattr(self, name)
            if not np.issubdtype(array.dtype, np.floating):
                raise TypeError(f"{self.cell}: {name} must be floating point, got dtype {array.dtype}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{self.cell}: {name} contains NaN or infinite values "
                                 f"({int(np.sum(~np.isfinite(array)))} of {array.size}); a layer "
                                 "with them would output NaN")

    @property
    def features(self) -> int:
        """Number of input features the layer expects."""
        return self.W.shape[0]

    def forward(self, x: np.ndarray, initial_state: Any = None) -> dict[str, Any]:
        """Run the layer and keep everything: every state and every gate at every step.

        Args:
            x: inputs, shape (batch, timesteps, features), floating point, finite.
            initial_state: None (zeros), h_0 of shape (batch, units), or one array per state of
                the cell (``[h_0, c_0]`` for an LSTM). Keras' form, a list, is accepted for
                every cell.

        Returns:
            A dict with ``"x"``: the input in computation order (reversed with
            ``go_backwards``); for each state s of the cell (``h``, and ``c`` for an LSTM),
            ``s``: (batch, timesteps, units) in that order and ``s + "0"``: its initial value;
            and ``"gates"``: a dict of (batch, timesteps, units) arrays (``i, f, c_tilde, o`` or
            ``z, r, h_tilde``; empty for the simple RNN).
        """
        x = check_input(x, self.features, self.W.dtype)
        batch, timesteps, _ = x.shape
        states = self._initial_state(initial_state, batch, x.dtype)
        if self.go_backwards:
            x = x[:, ::-1]
        result: dict[str, Any] = {"x": x}
        for name, state in zip(self.spec.states, states):
            result[name + "0"] = state
            result[name] = np.empty((batch, timesteps, self.units), x.dtype)
        gates: dict[str, np.ndarray] = {}
        options = self.options
        for t in range(timesteps):
            states, step_gates = self.spec.step(x[:, t], states, self.W, self.U, self.b, **options)
            for name, state in zip(self.spec.states, states):
                result[name][:, t] = state
            for name, value in step_gates.items():
                gates.setdefault(name, np.empty_like(result["h"]))[:, t] = value
        result["gates"] = gates
        return result

    def __call__(self, x: np.ndarray, initial_state: Any = None) -> Any:
        """What the Keras layer returns for the same input and initial state.

        Returns:
            The output (h_T, or all h_t with ``return_sequences``), or with ``return_state``
            the list ``[output, h_T]`` (``[output, h_T, c_T]`` for an LSTM: one per state).
        """
        run = self.forward(x, initial_state)
        output = run["h"] if self.return_sequences else run["h"][:, -1]
        if not self.return_state:
            return output
        return [output, *(run[name][:, -1] for name in self.spec.states)]

    def _initial_state(self, initial_state: Any, batch: int, dtype: np.dtype) -> list[np.ndarray]:
        count = len(self.spec.states)
        if initial_state is None:
            return [np.zeros((batch, self.units), dtype) for _ in range(count)]
        states = as_state_list(initial_state)
        if len(states) != count:
            listed = ", ".join(f"{name}_0" for name in self.spec.states)
            raise ValueError(f"{self.cell} takes {count} initial state(s) "
                             f"({'[' + listed + ']' if count > 1 else listed}), got {len(states)}")
        checked = []
        for name, state in zip((f"{s}_0" for s in self.spec.states), states):
            state = np.asarray(state)
            if state.shape != (batch, self.units):
                raise ValueError(f"initial state {name} must have shape (batch, units) = "
                                 f"{(batch, self.units)}, got {state.shape}")
            if not np.issubdtype(state.dtype, np.floating):
                raise ValueError(f"initial state {name} must be finite floating point, got "
                                 f"dtype {state.dtype}")
            if not np.all(np.isfinite(state)):
                raise ValueError(f"initial state {name} contains NaN or infinite values")
            checked.append(state.astype(dtype, copy=False))
        return checked


def check_cell(cell: str) -> str:
    """Return ``cell`` if it names a registered cell, else raise a ValueError listing the names."""
    spec(cell)
    return cell


def check_input(x: Any, features: int, dtype: np.dtype | None = None) -> np.ndarray:
    """Validate a batch of sequences at the public boundary.

    Args:
        x: the input, expected as a floating-point array of shape (batch, timesteps, features).
        features: the feature size the weights expect.
        dtype: if given, the array is cast to it (the weights' dtype).

    Returns:
        ``x`` as a NumPy array.

    Raises:
        TypeError: if ``x`` is not floating point.
        ValueError: on a wrong rank, a wrong feature size, an empty axis or non-finite values.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be floating point (float32 or float64), got dtype {x.dtype}; "
                        "convert it with x.astype('float32')")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, timesteps, features), got {x.ndim} "
                         f"dimension(s) with shape {x.shape}")
    if x.shape[2] != features:
        raise ValueError(f"x has {x.shape[2]} features but the weights expect {features} "
                         f"(x shape {x.shape})")
    if 0 in x.shape:
        raise ValueError(f"x must have at least one example and one time step, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    return x if dtype is None else x.astype(np.result_type(x.dtype, dtype), copy=False)


def count_params(cell: str, features: int, units: int, **options: Any) -> int:
    """Number of trainable parameters of one recurrent layer, by formula.

    k n (d + n) weights for a cell of k blocks, plus its bias:
    simple_rnn: n (d + n + 1)
    lstm:       4 n (d + n + 1)
    gru:        3 n (d + n + 1), plus 3 n with ``reset_after=True`` (its second bias row)
    A cell that never reads h_{t-1} (``recurrent=False``) has no U: k n (d + 1), so
    min_gru:    2 n (d + 1)
    min_lstm:   3 n (d + 1)

    Args:
        cell: a registered cell's name (``"simple_rnn"``, ``"lstm"``, ``"gru"``, ...).
        features: d, the number of input features.
        units: n, the number of units.
        **options: the cell's own options (e.g. the GRU's ``reset_after``).

    Returns:
        The count, equal to Keras' ``layer.count_params()`` for a layer with a bias.
    """
    cell_spec = spec(cell)
    integer("features", features)
    integer("units", units)
    bias = int(np.prod(cell_spec.bias(units, **cell_options(cell_spec, options))))
    return cell_spec.gates * units * features + cell_spec.recurrent_gates * units * units + bias


def step_flops(cell: str, features: int, units: int) -> int:
    """Floating-point operations of the matrix products of one step, for one sequence.

    A step computes x_t W (d × kn) and h_{t-1} U (n × kn) for the k blocks of the cell (1, 4 or
    3); a multiply-add counts as 2 operations, so the step costs 2 k n (d + n). The element-wise
    work (gates, tanh, ⊙) is O(k n) and left out: for the sizes of this course it is a few
    percent. Training costs about three times the forward pass (the backward pass needs two
    products per forward product). A cell that never reads h_{t-1} has no h_{t-1} U: 2 k n d.

    Args:
        cell: a registered cell's name.
        features: d.
        units: n.

    Returns:
        2 k n (d + n), or 2 k n d for a cell without U.
    """
    count_params(cell, features, units)  # validates the cell and the sizes
    cell_spec = spec(cell)
    return 2 * units * (cell_spec.gates * features + cell_spec.recurrent_gates * units)


def weights_holder(layer: Any) -> Any:
    """What holds a layer's weights: Keras' recurrent layers keep them on ``layer.cell``, the
    course's minimal layers (``rnnlab.cells.minimal_layers``) on the layer itself."""
    return getattr(layer, "cell", layer)


def from_keras(layer: Any) -> RNN:
    """The NumPy twin of a built Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` layer (any registered cell).

    Args:
        layer: a built Keras 3 recurrent layer with tanh activation and sigmoid recurrent
            activation (the defaults).

    Returns:
        An :class:`RNN` with the same weights and options (``return_sequences``,
        ``return_state``, ``go_backwards`` and the cell's own, e.g. the GRU's ``reset_after``).

    Raises:
        TypeError: if ``layer`` is not one of the three layers.
        ValueError: if it is not built yet or uses another activation.
    """
    kind = type(layer).__name__
    cell_spec = by_keras_class(kind)
    if cell_spec is None:
        known = [spec(name).keras_class for name in names()]
        listed = ", ".join(known[:-1]) + " or " + known[-1] if len(known) > 1 else known[0]
        raise TypeError(f"expected a layer the course reproduces ({listed}), got {kind}")
    if not layer.built:
        raise ValueError(f"the {kind} layer is not built yet: call it on an input first, e.g. "
                         "layer(keras.Input(shape=(timesteps, features)))")
    cell = weights_holder(layer)
    if cell_spec.keras_factory is None:  # Keras' own layers: their activations can be changed
        recurrent = getattr(cell, "recurrent_activation", None)
        activations = (cell.activation.__name__, recurrent and recurrent.__name__)
        if activations[0] != "tanh" or activations[1] not in (None, "sigmoid"):
            raise ValueError(f"only activation='tanh' and recurrent_activation='sigmoid' are "
                             f"reproduced, got {activations}")
    W = np.asarray(cell.kernel.numpy())
    if cell_spec.recurrent:
        U = np.asarray(cell.recurrent_kernel.numpy())
    else:
        U = np.zeros((cell.units, 0), W.dtype)
    options = {name: getattr(cell, name) for name in cell_spec.options}
    if cell.use_bias:
        b = np.asarray(cell.bias.numpy())
    else:
        b = np.zeros(cell_spec.bias(U.shape[0], **options), W.dtype)
    return RNN(cell_spec.name, W, U, b, return_sequences=layer.return_sequences,
               return_state=layer.return_state, go_backwards=layer.go_backwards, **options)


def to_keras(rnn: RNN, layer: Any = None) -> Any:
    """Write a NumPy layer's weights into a Keras layer (a new one unless ``layer`` is given).

    Args:
        rnn: the NumPy layer.
        layer: an existing Keras layer of the same kind and size; if None, a new layer with the
            same options is created and built for ``rnn.features`` input features.

    Returns:
        The Keras layer, holding ``rnn``'s weights.

    Raises:
        ValueError: if ``layer`` does not match ``rnn`` (kind, units, features, GRU variant).
    """
    kind = rnn.spec.keras_class
    if layer is None:
        options = dict(return_sequences=rnn.return_sequences, return_state=rnn.return_state,
                       go_backwards=rnn.go_backwards, dtype=str(rnn.W.dtype), **rnn.options)
        layer = rnn.spec.keras_layer(rnn.units, **options)
        layer.build((None, None, rnn.features))
    cell = weights_holder(layer)
    if type(layer).__name__ != kind or getattr(cell, "units", None) != rnn.units:
        raise ValueError(f"cannot write a {rnn.cell} layer of {rnn.units} units into "
                         f"{type(layer).__name__}({getattr(cell, 'units', '?')})")
    for name, value in rnn.options.items():
        if getattr(cell, name) != value:
            raise ValueError(f"the {kind} variants differ ({name}); their weights do not convert")
    if tuple(cell.kernel.shape) != rnn.W.shape:
        raise ValueError(f"kernel shapes differ: Keras {tuple(cell.kernel.shape)}, "
                         f"NumPy {rnn.W.shape}")
    weights = [rnn.W, rnn.U] if rnn.spec.recurrent else [rnn.W]
    layer.set_weights(weights + [rnn.b] if cell.use_bias else weights)
    return layer


def random_rnn(cell: str, features: int, units: int, *, scale: float = 0.5,
               dtype: str = "float64", seed: int = 0, **options: Any) -> RNN:
    """A NumPy layer with random normal weights (std ``scale / sqrt(fan_in)``), for experiments.

    Args:
        cell: a registered cell's name.
        features, units: sizes d and n.
        scale: weight scale; biases get ``scale / 2`` standard deviation.
        dtype: float dtype of the weights.
        seed: seed of the generator (independent of the global one).
        **options: passed to :class:`RNN`: ``return_sequences``, ... and the cell's own options
            (e.g. the GRU's ``reset_after``).

    Returns:
        The layer.
    """
    cell_spec = spec(cell)
    k = cell_spec.gates
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=scale / np.sqrt(features), size=(features, k * units))
    U = rng.normal(scale=scale / np.sqrt(units), size=(units, cell_spec.recurrent_gates * units))
    own = cell_options(cell_spec, {k: v for k, v in options.items() if k in cell_spec.options})
    b = rng.normal(scale=scale / 2, size=cell_spec.bias(units, **own))
    return RNN(cell, *(a.astype(dtype) for a in (W, U, b)), **options)
