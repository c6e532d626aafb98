"""Keras layers the course defines: the minimal GRU and LSTM of Feng et al. (2024).

Their gates read x_t only, so a whole sequence reduces to the linear recurrence
h_t = a_t ⊙ h_{t-1} + b_t (:func:`rnnlab.cells.linear_recurrence`), and Keras can compute it
either step by step (``parallel=False``, ``keras.ops.scan``: T dependent steps) or by a parallel
scan (``parallel=True``, ``keras.ops.associative_scan``: about log₂ T rounds over the whole
sequence). Both give the same states to float round-off, on any backend; the NumPy cells
``rnnlab.cells.min_gru`` and ``rnnlab.cells.min_lstm`` are their reference.

This module imports Keras; ``import rnnlab`` does not import it.
"""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rnnlab.cells.scan import compose


@keras.saving.register_keras_serializable(package="rnnlab")
class BlockConstant(keras.initializers.Initializer):
    """A bias made of equal blocks, each filled with one constant: ``BlockConstant([3.0, 0.0])``
    starts a :class:`MinGRU`'s b = [b_z | b_h] at b_z = 3 (σ(3) ≈ 0.95: a gate that keeps 95 % of
    the state from the first step) and b_h = 0.

    A layer's gate biases set how long its memory is before training, as Keras' LSTM does with
    ``unit_forget_bias``. Pass it as ``bias_initializer``.

    Args:
        values: one constant per block, in the order of the layer's blocks (``MinGRU``: z, h~;
            ``MinLSTM``: f, i, h~).
    """

    def __init__(self, values: Any) -> None:
        values = [float(v) for v in values]
        if not values:
            raise ValueError("BlockConstant needs at least one value, got none")
        self.values = values

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = tuple(shape)
        blocks = len(self.values)
        if len(shape) != 1 or shape[0] % blocks:
            raise ValueError(f"BlockConstant with {blocks} values fills a bias of shape (k * "
                             f"{blocks},), got shape {shape}")
        size = shape[0] // blocks
        return ops.concatenate([ops.full((size,), value, dtype=dtype) for value in self.values])

    def get_config(self) -> dict[str, Any]:
        return {"values": list(self.values)}


class MinimalRNN(keras.layers.Layer):
    """Base of the minimal gated layers: a linear map of x_t, then h_t = a_t ⊙ h_{t-1} + b_t.

    Args:
        units: n, the size of the state.
        return_sequences: return h_t for every step, not only h_T.
        return_state: also return the final state: ``[output, h_T]``.
        go_backwards: read the sequence from its last step to its first (outputs in the order
            they were computed, as Keras' recurrent layers do).
        parallel: compute the recurrence by ``keras.ops.associative_scan`` (True) or step by
            step with ``keras.ops.scan`` (False). The results agree to round-off. Both need
            the number of steps when the model is traced: under TensorFlow, build the model with
            ``keras.Input((timesteps, features))``.
        kernel_initializer, bias_initializer: Keras initialisers of W and b.
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).

    Subclasses set ``blocks`` (the names of the blocks of W's columns) and ``coefficients``.
    """

    blocks: tuple[str, ...] = ()

    def __init__(self, units: int, *, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, parallel: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = units
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.parallel = bool(parallel)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.use_bias = True

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} expects inputs of shape (batch, timesteps, "
                             f"features) with a known number of features, got {input_shape}")
        width = len(self.blocks) * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], width), name="kernel",
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(shape=(width,), name="bias", initializer=self.bias_initializer)

    def coefficients(self, pre: Any) -> tuple[Any, Any]:
        """a_t and b_t, shape (batch, timesteps, units), from pre = x_t W + b."""
        raise NotImplementedError

    def step(self, x_t: Any, states: list[Any]) -> tuple[Any, list[Any]]:
        """One step, h_t = a_t ⊙ h_{t-1} + b_t, called like a Keras cell: ``(h_t, [h_t])``.

        Args:
            x_t: inputs, shape (batch, features).
            states: ``[h_{t-1}]``, shape (batch, units).
        """
        a, b = self.coefficients(ops.matmul(x_t, self.kernel) + self.bias)
        h_t = a * states[0] + b
        return h_t, [h_t]

    def call(self, inputs: Any, initial_state: Any = None) -> Any:
        x = ops.flip(inputs, axis=1) if self.go_backwards else inputs
        a, b = self.coefficients(ops.matmul(x, self.kernel) + self.bias)
        if isinstance(initial_state, (list, tuple)):
            if len(initial_state) != 1:
                raise ValueError(f"{type(self).__name__} has one state, h_0; got "
                                 f"{len(initial_state)} initial states")
            initial_state = initial_state[0]
        h0 = (ops.zeros_like(a[:, 0]) if initial_state is None
              else ops.cast(initial_state, a.dtype))
        if a.shape[1] is None:
            raise ValueError(f"{type(self).__name__} needs the number of time steps when the "
                             "model is traced (Keras' scans on TensorFlow do): build it with "
                             "keras.Input(shape=(timesteps, features)), not (None, features)")
        if self.parallel:
            A, B = ops.associative_scan(compose, (a, b), axis=1)
            h = A * ops.expand_dims(h0, 1) + B
        else:
            def step(h_prev: Any, ab: tuple[Any, Any]) -> tuple[Any, Any]:
                h_t = ab[0] * h_prev + ab[1]
                return h_t, h_t

            _, states = ops.scan(step, h0, (ops.moveaxis(a, 1, 0), ops.moveaxis(b, 1, 0)))
            h = ops.moveaxis(states, 0, 1)
        h = ops.reshape(h, ops.shape(a))  # TensorFlow's scans lose the static shape in graphs
        output = h if self.return_sequences else h[:, -1]
        return [output, h[:, -1]] if self.return_state else output

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> Any:
        batch, timesteps = input_shape[0], input_shape[1]
        output = (batch, timesteps, self.units) if self.return_sequences else (batch, self.units)
        return [output, (batch, self.units)] if self.return_state else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "parallel": self.parallel,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}


@keras.saving.register_keras_serializable(package="rnnlab")
class MinGRU(MinimalRNN):
    """The minimal GRU (Feng et al. 2024) in the book's convention (z keeps the past).

    z_t = σ(x_t W_z + b_z),  h~_t = x_t W_h + b_h,  h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h~_t

    Weights: ``kernel`` W (features, 2 units), blocks z, h~; ``bias`` b (2 units,). Its NumPy
    reference is :func:`rnnlab.cells.min_gru_step`. Arguments: see :class:`MinimalRNN`.
    """

    blocks = ("z", "h_tilde")

    def coefficients(self, pre: Any) -> tuple[Any, Any]:
        a_z, h_tilde = ops.split(pre, 2, axis=-1)
        z = ops.sigmoid(a_z)
        return z, (1.0 - z) * h_tilde


@keras.saving.register_keras_serializable(package="rnnlab")
class MinLSTM(MinimalRNN):
    """The minimal LSTM (Feng et al. 2024): no output gate, no cell state.

    f_t = σ(x_t W_f + b_f),  i_t = σ(x_t W_i + b_i),  h~_t = x_t W_h + b_h,
    h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ h~_t  with  f'_t = f_t / (f_t + i_t),  i'_t = i_t / (f_t + i_t)

    Weights: ``kernel`` W (features, 3 units), blocks f, i, h~; ``bias`` b (3 units,). Its NumPy
    reference is :func:`rnnlab.cells.min_lstm_step`. Arguments: see :class:`MinimalRNN`.
    """

    blocks = ("f", "i", "h_tilde")

    def coefficients(self, pre: Any) -> tuple[Any, Any]:
        a_f, a_i, h_tilde = ops.split(pre, 3, axis=-1)
        # f / (f + i) with f = σ(a_f), i = σ(a_i), written so that it never divides 0 by 0
        f_norm = ops.sigmoid(ops.softplus(-a_i) - ops.softplus(-a_f))
        return f_norm, (1.0 - f_norm) * h_tilde
