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

CELLS = ("simple_rnn", "lstm", "gru")
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}
"""How many blocks of ``units`` columns each cell's W and U have."""
KERAS_NAMES = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}
BLOCKS = {"simple_rnn": ("h",), "lstm": ("i", "f", "c_tilde", "o"), "gru": ("z", "r", "h_tilde")}
"""The names of the blocks of ``units`` columns of W, U and b, in Keras' order (notation.md)."""


def bias_shape(cell: str, units: int, reset_after: bool = True) -> tuple[int, ...]:
    """Shape of Keras' bias: (k units,), or (2, 3 units) for a GRU with ``reset_after=True``."""
    if cell == "gru" and reset_after:
        return (2, 3 * units)
    return (GATES[cell] * units,)


def as_state_list(initial_state: Any) -> list[Any]:
    """Keras accepts one state or a list of states; return a list either way."""
    if isinstance(initial_state, (list, tuple)):
        return list(initial_state)
    return [initial_state]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic sigmoid σ(a) = 1 / (1 + exp(-a)), computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def simple_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray,
                    b: np.ndarray) -> np.ndarray:
    """One step of a simple (Elman) recurrent layer, Keras' ``SimpleRNNCell`` with tanh.

    h_t = tanh(x_t W + h_{t-1} U + b)

    Args:
        x_t: inputs at step t, shape (batch, features).
        h_prev: hidden state h_{t-1}, shape (batch, units).
        W: input weights (Keras ``kernel``), shape (features, units).
        U: recurrent weights (Keras ``recurrent_kernel``), shape (units, units).
        b: bias (Keras ``bias``), shape (units,).

    Returns:
        h_t, shape (batch, units).
    """
    return np.tanh(x_t @ W + h_prev @ U + b)


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W: np.ndarray,
              U: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One step of an LSTM layer, Keras' ``LSTMCell`` (tanh, sigmoid gates).

    i_t = σ(x_t W_i + h_{t-1} U_i + b_i)          input gate
    f_t = σ(x_t W_f + h_{t-1} U_f + b_f)          forget gate
    c~_t = tanh(x_t W_c + h_{t-1} U_c + b_c)      candidate cell state
    o_t = σ(x_t W_o + h_{t-1} U_o + b_o)          output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ c~_t              cell state
    h_t = o_t ⊙ tanh(c_t)                         hidden state

    Args:
        x_t: inputs, shape (batch, features).
        h_prev, c_prev: states h_{t-1} and c_{t-1}, shape (batch, units) each.
        W: kernel, shape (features, 4 units), blocks i, f, c, o.
        U: recurrent kernel, shape (units, 4 units), blocks i, f, c, o.
        b: bias, shape (4 units,), blocks i, f, c, o.

    Returns:
        ``(h_t, c_t, gates)`` where gates maps ``"i"``, ``"f"``, ``"c_tilde"``, ``"o"`` to arrays of
        shape (batch, units).
    """
    a_i, a_f, a_c, a_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i_t, f_t, c_tilde, o_t = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)
    c_t = f_t * c_prev + i_t * c_tilde
    h_t = o_t * np.tanh(c_t)
    return h_t, c_t, {"i": i_t, "f": f_t, "c_tilde": c_tilde, "o": o_t}


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
             reset_after: bool = True) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of a GRU layer, Keras' ``GRUCell`` (tanh, sigmoid gates), either variant.

    z_t = σ(x_t W_z + h_{t-1} U_z + b_z)                         update gate
    r_t = σ(x_t W_r + h_{t-1} U_r + b_r)                         reset gate
    h~_t = tanh(x_t W_h + r_t ⊙ (h_{t-1} U_h + b'_h) + b_h)      candidate, reset_after=True
    h~_t = tanh(x_t W_h + (r_t ⊙ h_{t-1}) U_h + b_h)             candidate, reset_after=False
    h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h~_t                       Keras' convention: z keeps the past

    With ``reset_after=True`` each gate has two biases (``b[0]`` for the input part, ``b[1]`` for
    the recurrent part, b'_h above); in the gates they simply add up.

    Args:
        x_t: inputs, shape (batch, features).
        h_prev: state h_{t-1}, shape (batch, units).
        W: kernel, shape (features, 3 units), blocks z, r, h.
        U: recurrent kernel, shape (units, 3 units), blocks z, r, h.
        b: bias, shape (2, 3 units) if ``reset_after`` else (3 units,).
        reset_after: which Keras variant.

    Returns:
        ``(h_t, gates)`` where gates maps ``"z"``, ``"r"``, ``"h_tilde"`` to (batch, units) arrays.
    """
    units = h_prev.shape[-1]
    if reset_after:
        x_z, x_r, x_h = np.split(x_t @ W + b[0], 3, axis=-1)
        m_z, m_r, m_h = np.split(h_prev @ U + b[1], 3, axis=-1)
        z_t, r_t = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        h_tilde = np.tanh(x_h + r_t * m_h)
    else:
        x_z, x_r, x_h = np.split(x_t @ W + b, 3, axis=-1)
        m_z, m_r = np.split(h_prev @ U[:, : 2 * units], 2, axis=-1)
        z_t, r_t = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        h_tilde = np.tanh(x_h + (r_t * h_prev) @ U[:, 2 * units:])
    h_t = z_t * h_prev + (1.0 - z_t) * h_tilde
    return h_t, {"z": z_t, "r": r_t, "h_tilde": h_tilde}


@dataclass
class RNN:
    """A NumPy recurrent layer with Keras' weights and options; call it like the Keras layer.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        W: kernel, shape (features, k units) with k = 1, 4, 3 for the three cells.
        U: recurrent kernel, shape (units, k units).
        b: bias, shape (k units,), or (2, 3 units) for a GRU with ``reset_after=True``.
        return_sequences: return h_t for every step (batch, timesteps, units), not only h_T.
        return_state: also return the final states, as Keras does: ``[output, h_T]``, or
            ``[output, h_T, c_T]`` for an LSTM.
        go_backwards: read the sequence from its last step to its first (outputs come in the
            order they were computed, as in Keras).
        reset_after: GRU variant (ignored by the other cells).
    """

    cell: str
    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    reset_after: bool = True
    units: int = field(init=False)

    def __post_init__(self) -> None:
        check_cell(self.cell)
        self.W, self.U, self.b = (np.asarray(a) for a in (self.W, self.U, self.b))
        k = GATES[self.cell]
        if self.U.ndim != 2 or self.U.shape[1] != k * self.U.shape[0]:
            raise ValueError(f"{self.cell}: U must have shape (units, {k} * units), "
                             f"got {self.U.shape}")
        self.units = self.U.shape[0]
        if self.W.ndim != 2 or self.W.shape[1] != k * self.units:
            raise ValueError(f"{self.cell}: W must have shape (features, {k * self.units}) for "
                             f"{self.units} units, got {self.W.shape}")
        expected = bias_shape(self.cell, self.units, self.reset_after)
        if self.b.shape != expected:
            raise ValueError(f"{self.cell}: b must have shape {expected}, got {self.b.shape}")

    @property
    def features(self) -> int:
        """Number of input features the layer expects."""
        return self.W.shape[0]

    def forward(self, x: np.ndarray, initial_state: Any = None) -> dict[str, Any]:
        """Run the layer and keep everything: every state and every gate at every step.

        Args:
            x: inputs, shape (batch, timesteps, features), floating point, finite.
            initial_state: None (zeros), h_0 of shape (batch, units), or for an LSTM the list
                ``[h_0, c_0]``. Keras' form, a list, is accepted for every cell.

        Returns:
            A dict with ``"x"``: the input in computation order (reversed with
            ``go_backwards``), ``"h"``: (batch, timesteps, units) states in that order, ``"h0"``,
            for an LSTM ``"c"`` and ``"c0"`` likewise, and ``"gates"``: a dict of
            (batch, timesteps, units) arrays (``i, f, c_tilde, o`` or ``z, r, h_tilde``; empty for
            the simple RNN).
        """
        x = check_input(x, self.features, self.W.dtype)
        batch, timesteps, _ = x.shape
        h, c = self._initial_state(initial_state, batch, x.dtype)
        if self.go_backwards:
            x = x[:, ::-1]
        result: dict[str, Any] = {"x": x, "h0": h,
                                  "h": np.empty((batch, timesteps, self.units), x.dtype)}
        gates: dict[str, np.ndarray] = {}
        if self.cell == "lstm":
            result["c0"], result["c"] = c, np.empty_like(result["h"])
        for t in range(timesteps):
            if self.cell == "simple_rnn":
                h, step_gates = simple_rnn_step(x[:, t], h, self.W, self.U, self.b), {}
            elif self.cell == "lstm":
                h, c, step_gates = lstm_step(x[:, t], h, c, self.W, self.U, self.b)
                result["c"][:, t] = c
            else:
                h, step_gates = gru_step(x[:, t], h, self.W, self.U, self.b, self.reset_after)
            result["h"][:, t] = h
            for name, value in step_gates.items():
                gates.setdefault(name, np.empty_like(result["h"]))[:, t] = value
        result["gates"] = gates
        return result

    def __call__(self, x: np.ndarray, initial_state: Any = None) -> Any:
        """What the Keras layer returns for the same input and initial state.

        Returns:
            The output (h_T, or all h_t with ``return_sequences``), or with ``return_state``
            the list ``[output, h_T]`` (``[output, h_T, c_T]`` for an LSTM).
        """
        run = self.forward(x, initial_state)
        output = run["h"] if self.return_sequences else run["h"][:, -1]
        if not self.return_state:
            return output
        states = [run["h"][:, -1]] + ([run["c"][:, -1]] if self.cell == "lstm" else [])
        return [output, *states]

    def _initial_state(self, initial_state: Any, batch: int,
                       dtype: np.dtype) -> tuple[np.ndarray, np.ndarray | None]:
        count = 2 if self.cell == "lstm" else 1
        if initial_state is None:
            zeros = np.zeros((batch, self.units), dtype)
            return zeros, (zeros.copy() if count == 2 else None)
        states = as_state_list(initial_state)
        if len(states) != count:
            raise ValueError(f"{self.cell} takes {count} initial state(s) "
                             f"({'[h_0, c_0]' if count == 2 else 'h_0'}), got {len(states)}")
        checked = []
        for name, state in zip(("h_0", "c_0"), states):
            state = np.asarray(state)
            if state.shape != (batch, self.units):
                raise ValueError(f"initial state {name} must have shape (batch, units) = "
                                 f"{(batch, self.units)}, got {state.shape}")
            if not np.issubdtype(state.dtype, np.floating) or not np.all(np.isfinite(state)):
                raise ValueError(f"initial state {name} must be finite floating point, "
                                 f"got dtype {state.dtype}")
            checked.append(state.astype(dtype, copy=False))
        return checked[0], (checked[1] if count == 2 else None)


def check_cell(cell: str) -> str:
    """Return ``cell`` if it names a cell, else raise a ValueError listing the valid names."""
    if cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}; expected one of {', '.join(CELLS)}")
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


def count_params(cell: str, features: int, units: int, reset_after: bool = True) -> int:
    """Number of trainable parameters of one recurrent layer, by formula.

    simple_rnn: n (d + n + 1)
    lstm:       4 n (d + n + 1)
    gru:        3 n (d + n + 1), plus 3 n with ``reset_after=True`` (its second bias row)

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        features: d, the number of input features.
        units: n, the number of units.
        reset_after: GRU variant (ignored by the other cells).

    Returns:
        The count, equal to Keras' ``layer.count_params()`` for a layer with a bias.
    """
    check_cell(cell)
    for name, value in (("features", features), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    k = GATES[cell]
    extra_bias = k * units if cell == "gru" and reset_after else 0
    return k * units * (features + units + 1) + extra_bias


def step_flops(cell: str, features: int, units: int) -> int:
    """Floating-point operations of the matrix products of one step, for one sequence.

    A step computes x_t W (d × kn) and h_{t-1} U (n × kn) for the k blocks of the cell (1, 4 or
    3); a multiply-add counts as 2 operations, so the step costs 2 k n (d + n). The element-wise
    work (gates, tanh, ⊙) is O(k n) and left out: for the sizes of this course it is a few
    percent. Training costs about three times the forward pass (the backward pass needs two
    products per forward product).

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        features: d.
        units: n.

    Returns:
        2 k n (d + n).
    """
    check_cell(cell)
    count_params(cell, features, units)  # validates the sizes
    return 2 * GATES[cell] * units * (features + units)


def from_keras(layer: Any) -> RNN:
    """The NumPy twin of a built Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` layer.

    Args:
        layer: a built Keras 3 recurrent layer with tanh activation and sigmoid recurrent
            activation (the defaults).

    Returns:
        An :class:`RNN` with the same weights and options (``return_sequences``,
        ``return_state``, ``go_backwards``, ``reset_after``).

    Raises:
        TypeError: if ``layer`` is not one of the three layers.
        ValueError: if it is not built yet or uses another activation.
    """
    kind = type(layer).__name__
    if kind not in KERAS_NAMES:
        raise TypeError(f"expected a keras.layers.SimpleRNN, LSTM or GRU, got {kind}")
    if not layer.built:
        raise ValueError(f"the {kind} layer is not built yet: call it on an input first, e.g. "
                         "layer(keras.Input(shape=(timesteps, features)))")
    cell = layer.cell
    recurrent = getattr(cell, "recurrent_activation", None)
    activations = (cell.activation.__name__, recurrent and recurrent.__name__)
    if activations[0] != "tanh" or activations[1] not in (None, "sigmoid"):
        raise ValueError(f"only activation='tanh' and recurrent_activation='sigmoid' are "
                         f"reproduced, got {activations}")
    W, U = np.asarray(cell.kernel.numpy()), np.asarray(cell.recurrent_kernel.numpy())
    name = KERAS_NAMES[kind]
    reset_after = bool(getattr(cell, "reset_after", True))
    if cell.use_bias:
        b = np.asarray(cell.bias.numpy())
    else:
        b = np.zeros(bias_shape(name, U.shape[0], reset_after), W.dtype)
    return RNN(name, W, U, b, return_sequences=layer.return_sequences,
               return_state=layer.return_state, go_backwards=layer.go_backwards,
               reset_after=reset_after)


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
    import keras

    kind = {v: k for k, v in KERAS_NAMES.items()}[rnn.cell]
    if layer is None:
        options = dict(return_sequences=rnn.return_sequences, return_state=rnn.return_state,
                       go_backwards=rnn.go_backwards, dtype=str(rnn.W.dtype))
        if rnn.cell == "gru":
            options["reset_after"] = rnn.reset_after
        layer = getattr(keras.layers, kind)(rnn.units, **options)
        layer.build((None, None, rnn.features))
    if type(layer).__name__ != kind or layer.cell.units != rnn.units:
        raise ValueError(f"cannot write a {rnn.cell} layer of {rnn.units} units into "
                         f"{type(layer).__name__}({getattr(layer.cell, 'units', '?')})")
    if rnn.cell == "gru" and bool(layer.cell.reset_after) != rnn.reset_after:
        raise ValueError("the GRU variants differ (reset_after); their weights do not convert")
    if tuple(layer.cell.kernel.shape) != rnn.W.shape:
        raise ValueError(f"kernel shapes differ: Keras {tuple(layer.cell.kernel.shape)}, "
                         f"NumPy {rnn.W.shape}")
    layer.set_weights([rnn.W, rnn.U, rnn.b] if layer.cell.use_bias else [rnn.W, rnn.U])
    return layer


def random_rnn(cell: str, features: int, units: int, *, reset_after: bool = True,
               scale: float = 0.5, dtype: str = "float64", seed: int = 0, **options: Any) -> RNN:
    """A NumPy layer with random normal weights (std ``scale / sqrt(fan_in)``), for experiments.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        features, units: sizes d and n.
        reset_after: GRU variant.
        scale: weight scale; biases get ``scale / 2`` standard deviation.
        dtype: float dtype of the weights.
        seed: seed of the generator (independent of the global one).
        **options: passed to :class:`RNN` (``return_sequences``, ...).

    Returns:
        The layer.
    """
    check_cell(cell)
    k = GATES[cell]
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=scale / np.sqrt(features), size=(features, k * units))
    U = rng.normal(scale=scale / np.sqrt(units), size=(units, k * units))
    b = rng.normal(scale=scale / 2, size=bias_shape(cell, units, reset_after))
    return RNN(cell, *(a.astype(dtype) for a in (W, U, b)), reset_after=reset_after, **options)


def linear_recurrence(a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None, *,
                      method: str = "scan") -> np.ndarray:
    """All states of h_t = a_t ⊙ h_{t−1} + b_t, step by step or by a parallel scan.

    This is the recurrence of the minimal GRU and LSTM of Feng et al. (2024), where the gate a_t
    and the input b_t depend on x_t only, not on h_{t−1}. Because the pairs (a, b) compose
    associatively — applying (a₁, b₁) then (a₂, b₂) is (a₂a₁, a₂b₁ + b₂) — the T states can be
    computed in ⌈log₂ T⌉ rounds of element-wise work over the whole sequence (Hillis–Steele
    scan), instead of T dependent steps (Martin & Cundy 2018).

    Args:
        a, b: arrays of shape (batch, timesteps, units).
        h0: initial state (batch, units); zeros if None.
        method: ``"scan"`` (log-depth rounds) or ``"sequential"`` (one step at a time).

    Returns:
        h of shape (batch, timesteps, units): h_1, ..., h_T.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 3 or a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (batch, timesteps, units), got "
                         f"{a.shape} and {b.shape}")
    h0 = np.zeros((a.shape[0], a.shape[2])) if h0 is None else np.asarray(h0, dtype=float)
    if h0.shape != (a.shape[0], a.shape[2]):
        raise ValueError(f"h0 must have shape {(a.shape[0], a.shape[2])}, got {h0.shape}")
    if method == "sequential":
        h, states = h0, []
        for t in range(a.shape[1]):
            h = a[:, t] * h + b[:, t]
            states.append(h)
        return np.stack(states, axis=1)
    if method != "scan":
        raise ValueError(f"method must be 'scan' or 'sequential', got {method!r}")
    A, B = a.copy(), b.copy()  # after the rounds, (A_t, B_t) maps h_0 to h_t
    shift = 1
    while shift < a.shape[1]:
        A_new, B_new = A.copy(), B.copy()
        A_new[:, shift:] = A[:, shift:] * A[:, :-shift]
        B_new[:, shift:] = A[:, shift:] * B[:, :-shift] + B[:, shift:]
        A, B, shift = A_new, B_new, 2 * shift
    return A * h0[:, None] + B
