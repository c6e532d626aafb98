"""What a training run is: its recipe, the key made from it, and a fingerprint of its start.

A run of :func:`rnnlab.experiments.train` is built and fitted from one explicit seed, so its
**recipe** decides its numbers: the protocol of ``train``, the Keras backend and determinism,
each layer's class and configuration (automatic names left out), the compile configuration,
digests of the data, the fit's arguments (epochs, batch size, shuffling, the seed) and the
callbacks' arguments. The recipe is plain data and the same on every processor, so its hash,
:func:`run_key`, names the run exactly.

The initial weights are not in the key (an orthogonal initialisation, a QR decomposition,
differs in its last bits between processors). :func:`init_fingerprint` describes them up to
round-off instead; the store keeps it beside each record and refuses to serve a record to a
model that does not start from the same weights.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rnnlab.config import deterministic


__all__ = ["PROTOCOL"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

PROTOCOL = 1
"""Version of the training semantics of :func:`rnnlab.experiments.train`: part of every recipe.
Bump it when ``train`` changes what a run computes (seeding, callbacks, what is recorded)."""

INIT_DIRECTIONS = 16
"""How many fixed random ±1 directions a floating-point variable is projected on."""

INIT_TOLERANCE = 1e-4
"""Initial weights agree when each norm is within this relatively and each projection (divided
by the norm) within this absolutely. Round-off between processors moves them by about 1e-7; two
different random initialisations by about 1."""


class Unkeyable(ValueError):
    """A run whose recipe cannot be written as plain data (e.g. a callback holding a function):
    it is trained and never recorded."""


def _plain(value: Any) -> Any:
    """JSON's fallback: NumPy scalars as Python numbers, anything else by its repr."""
    return value.item() if isinstance(value, np.generic) else repr(value)


def canonical(value: Any) -> str:
    """``value`` as canonical JSON (sorted keys, no spaces): the text that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)


def array_digest(array: Any) -> str:
    """A digest of an array's dtype, shape and bytes (BLAKE2b, 16 bytes, hex)."""
    array = np.ascontiguousarray(np.asarray(array))
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()


def run_key(recipe: Mapping[str, Any]) -> str:
    """The key of a run: SHA-256 of its canonical recipe, 24 hex digits."""
    return hashlib.sha256(canonical(recipe).encode()).hexdigest()[:24]


def _strip_names(value: Any) -> Any:
    """A configuration without the session-dependent ``name`` of its layers (``lstm_3``) and
    optimizers (``adam_2``)."""
    if isinstance(value, Mapping):
        name = value.get("name")
        layer = isinstance(name, str) and ("trainable" in value or "learning_rate" in value)
        return {k: _strip_names(v) for k, v in value.items() if not (layer and k == "name")}
    if isinstance(value, (list, tuple)):
        return [_strip_names(v) for v in value]
    return value


def _callback_config(callback: Any) -> dict[str, Any]:
    """A callback as its class and constructor arguments (read back from the attributes of the
    same names), not its run-time state (``best``, ``wait``, ...), which changes as it is used.

    Raises:
        Unkeyable: if an argument is not plain data (a schedule function, a file handle, ...).
    """
    simple = (bool, int, float, str, type(None))
    config: dict[str, Any] = {"class": type(callback).__name__}
    for name in inspect.signature(type(callback).__init__).parameters:
        if name in ("self", "args", "kwargs") or not hasattr(callback, name):
            continue
        value = getattr(callback, name)
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, simple):
            raise Unkeyable(f"{type(callback).__name__}.{name} is {type(value).__name__}, not "
                            "plain data: this run cannot be recorded")
        config[name] = value
    return config


def _wiring(model: Any) -> list[list[int]] | None:
    """For a functional model that is not a chain, each layer's inbound layers by position."""
    try:
        config = model.get_config()
        entries = config.get("layers") if isinstance(config, Mapping) else None
        if not entries or type(model).__name__ == "Sequential":
            return None
        position = {entry["name"]: i for i, entry in enumerate(entries)}

        def sources(node: Any) -> list[int]:
            if isinstance(node, Mapping):
                history = node.get("keras_history")
                if history is not None:
                    return [position[history[0]]]
                return [i for item in node.values() for i in sources(item)]
            if isinstance(node, (list, tuple)):
                return [i for item in node for i in sources(item)]
            return []

        inbound = [sources(entry.get("inbound_nodes", [])) for entry in entries]
    except Exception:  # an unusual model: key it by its layers alone
        return None
    chain = all(links == ([i - 1] if i else []) for i, links in enumerate(inbound))
    return None if chain else inbound


def recipe(model: Any, data: Mapping[str, Any], fit: Mapping[str, Any],
           callbacks: Sequence[Any] = ()) -> dict[str, Any]:
    """Everything that decides a training run's numbers, as plain data (see the module doc).

    Args:
        model: the compiled ``keras.Model``, before training, built right after seeding with
            ``fit["seed"]``.
        data: the arrays it is trained and validated on, by name (None values are left out).
        fit: the other arguments of the fit (epochs, batch size, shuffle, seed).
        callbacks: the user's Keras callbacks.

    Raises:
        Unkeyable: if a callback holds something that is not plain data.
    """
    import keras

    optimizer = model.optimizer
    material = {
        "protocol": PROTOCOL,
        "backend": keras.backend.backend(),
        "deterministic": deterministic(),
        # the input layer is left out: keras.Sequential has none in model.layers, and the data's
        # digests already give the input's shape and dtype
        "layers": [[type(layer).__name__, _strip_names(layer.get_config())]
                   for layer in model.layers if type(layer).__name__ != "InputLayer"],
        "compile": _strip_names(model.get_compile_config()),
        "optimizer_steps": int(np.asarray(optimizer.iterations)) if optimizer is not None else None,
        "data": {name: array_digest(value) for name, value in data.items() if value is not None},
        "fit": dict(fit),
        "callbacks": [_callback_config(c) for c in callbacks],
    }
    wiring = _wiring(model)
    if wiring is not None:  # only for graphs that are not a plain chain of layers
        material["wiring"] = wiring
    if optimizer is not None and optimizer.built and optimizer.variables:
        material["optimizer_variables"] = [
            array_digest(keras.ops.convert_to_numpy(v.value)) for v in optimizer.variables]
    return material


def variable_values(model: Any) -> list[np.ndarray]:
    """The values of all of a model's variables (``model.variables`` order) as NumPy arrays."""
    import keras

    return [np.asarray(keras.ops.convert_to_numpy(v.value)) for v in model.variables]


@functools.lru_cache(maxsize=64)
def _directions(size: int) -> np.ndarray:
    """``INIT_DIRECTIONS`` fixed ±1 vectors of length ``size`` (NumPy's PCG64 stream, the same
    on every platform)."""
    signs = np.random.default_rng(20_261_206).integers(0, 2, size=(INIT_DIRECTIONS, size))
    return (2.0 * signs - 1.0).astype(np.float64)


def init_fingerprint(value: Any) -> list[float] | None:
    """A variable's norm and its projections on 16 fixed ±1 directions, divided by the norm
    (each about N(0, 1) for random values): what round-off cannot move but another
    initialisation does.

    Args:
        value: the variable's values (any shape).

    Returns:
        ``[norm, z_1, ..., z_16]`` as Python floats; for an integer variable, or an all-zero or
        non-finite one, ``[digest]`` (:func:`array_digest`), compared exactly.
    """
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        return [array_digest(array)]
    flat = array.astype(np.float64).ravel()
    norm = float(np.sqrt(np.sum(flat * flat)))
    if norm == 0.0 or not np.isfinite(norm):
        return [array_digest(array)]
    # a plain sum per direction (not BLAS, whose summation order depends on the processor)
    projections = np.sum(_directions(flat.size) * flat, axis=1) / norm
    return [norm, *(float(z) for z in projections)]


def fingerprints_agree(recorded: Sequence[Sequence[Any]], here: Sequence[Sequence[Any]]) -> bool:
    """Whether two lists of :func:`init_fingerprint` describe the same initial weights up to
    round-off (:data:`INIT_TOLERANCE`)."""
    if len(recorded) != len(here):
        return False
    for a, b in zip(recorded, here):
        if len(a) != len(b):
            return False
        if len(a) == 1:                      # an exact digest
            if a != b:
                return False
            continue
        if abs(b[0] / a[0] - 1.0) > INIT_TOLERANCE:
            return False
        if max(abs(x - y) for x, y in zip(a[1:], b[1:])) > INIT_TOLERANCE:
            return False
    return True
