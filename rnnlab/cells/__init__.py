"""NumPy reference cells that compute exactly what Keras' recurrent layers compute.

One module per cell (``rnnlab.cells.simple_rnn``, ``rnnlab.cells.lstm``,
``rnnlab.cells.gru``), each with its forward step beside its backward step and a ``SPEC``
that registers it (``rnnlab.cells.registry``); the generic layer :class:`RNN` and the Keras
converters live in ``rnnlab.cells.layer``. Every module of this package that defines ``SPEC``
is imported here, so a new cell is one new file.
"""
from __future__ import annotations

import importlib
import pkgutil

from rnnlab.cells.registry import CellSpec, by_keras_class, names, register, sigmoid, spec

_CELL_EXPORTS: list[str] = []
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in {"registry", "layer", "scan", "minimal_layers"}:  # no SPEC there
        _cell = importlib.import_module(f"{__name__}.{_module.name}")
        for _name in getattr(_cell, "__all__", ()):   # each cell module's steps, exported here
            globals()[_name] = getattr(_cell, _name)
            _CELL_EXPORTS.append(_name)

from rnnlab.cells.layer import (RNN, as_state_list, bias_shape, check_cell, check_input,  # noqa: E402
                                count_params, from_keras, random_rnn, step_flops, to_keras)
from rnnlab.cells.scan import compose, linear_recurrence  # noqa: E402

CELLS = names()
"""The registered cells' names, in order: ``("simple_rnn", "lstm", "gru", ...)``."""
GATES = {name: spec(name).gates for name in CELLS}
"""How many blocks of ``units`` columns each cell's W and U have."""
BLOCKS = {name: spec(name).blocks for name in CELLS}
"""The names of the blocks of ``units`` columns of W, U and b, in Keras' order (notation.md)."""
KERAS_NAMES = {spec(name).keras_class: name for name in CELLS}
"""Keras layer class name -> the course's cell name."""

__all__ = [
    "BLOCKS", "CELLS", "CellSpec", "GATES", "KERAS_NAMES", "RNN", "as_state_list", "bias_shape",
    "by_keras_class", "check_cell", "check_input", "compose", "count_params", "from_keras",
    "linear_recurrence", "names", "random_rnn", "register", "sigmoid", "spec", "step_flops",
    "to_keras", *_CELL_EXPORTS,
]
