"""The results store: every training run of the course, recorded once and served by its key.

Every Keras training run of the course goes through :func:`rnnlab.experiments.train`, which
asks this store first. A run's **key** is a hash of everything that decides its numbers:

* ``PROTOCOL`` (bumped whenever the training semantics of ``train`` change),
* the Keras backend and whether op determinism is on,
* the model: each layer's class and configuration (auto-generated names left out), and a
  description of the values of all its variables before training (weights, normalisation
  statistics, dropout generators' states) — so the seed that initialised it is covered too.
  Integer variables are digested exactly. Floating-point ones are described by
  :func:`init_signature`: their shape, the size of their norm and the signs of
  their projections on 16 fixed random directions, which round-off cannot change but any other
  initialisation does (orthogonal initial weights, a QR decomposition, differ in their last bits
  between an Intel and an AMD processor, and an exact digest made every record unservable on
  the other), and each record keeps the projections themselves (:func:`init_fingerprint`),
  compared within :data:`INIT_TOLERANCE` before the record is served,
* how it is compiled (optimizer and its settings, loss, metrics) and the optimizer's step count,
* a digest of the training and validation arrays (dtype, shape, bytes),
* the fit itself: epochs, batch size, shuffling, the seed drawn before ``fit``, callbacks.

A **record** is one JSON file ``results/runs/<key>.json`` (what was trained, the history, wall
times, and where and when: machine, backend, library versions) and one ``<key>.npz`` holding the
values of the model's variables after training, written with fixed timestamps so that an
unchanged rerun rewrites the same bytes. Serving a record assigns those values to the model and
returns the recorded history: everything a chapter computes after training (evaluation,
predictions, gates) then runs on the trained model. The optimizer's state (its step count, Adam's
moments) is not restored, so a served model refuses to be trained further through the store. Plain files,
one per run, rather than SQLite: they diff and merge in git, processes training different runs
in parallel never write the same file, and each file is written atomically (temporary file and
rename). Two processes writing the *same* run at once may pair one's record with the other's
weights; the checksum then makes the record invalid (never served) until it is written again.

Library versions and the machine are recorded, not keyed: they change round-off, not what the
run is. ``python3 tools/course.py verify`` retrains recorded runs and checks that they reproduce
within :data:`VERIFY_RTOL`/:data:`VERIFY_ATOL`.

What the store does is set by ``RNNLAB_STORE``:

``read`` (the default in full mode)
    serve a record whose key matches; train what is missing, without writing it.
``fill``
    the same, and write what was trained.
``refresh``
    train everything, write every record (``python3 tools/course.py results``).
``strict``
    serve, and refuse (:class:`MissingRecord`) to train what is missing (the CI site build).
``verify``
    train everything and compare with the record (:class:`RecordMismatch` if they differ).
``off`` (the default in fast mode)
    never read or write: fast-mode budgets are tests of the code, not results.
``rekey``
    serve as ``read``; a run the store lacks under its key but holds under an older key scheme
    (:data:`KEY_SCHEME`; the same run in everything but the exact bits of its initial weights)
    is written again under its new key, with its history, weights and provenance unchanged
    (``python3 tools/course.py rekey``); anything else missing is an error, as in ``strict``.

``RNNLAB_RESULTS`` moves the store (default: ``results/`` at the top of the repository) and
``RNNLAB_STORE_LOG`` names a file to which every requested key is appended (one line each), so
a build can tell which records no chapter asked for.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import platform
import re
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import deterministic, fast_mode

PROTOCOL = 1
"""Version of the training semantics of :func:`rnnlab.experiments.train`: part of every key."""

KEY_SCHEME = 2
"""Version of how initial weights enter the key: 1 hashed their exact bytes (which differ
between processors by round-off), 2 describes them with :func:`init_signature`. Part of every
key from scheme 2 on (records of scheme 1 have no ``key_scheme`` in their material)."""

INIT_DIRECTIONS = 16
"""How many fixed random ±1 directions a floating-point variable is projected on."""

INIT_TOLERANCE = 1e-4
"""A record is served only if each projection of each initial variable, divided by the
variable's norm, is within this of the recorded one, and each norm within this relatively.
Round-off between processors moves them by about 1e-7; two different random initialisations
by about 1."""

STORE_ENV = "RNNLAB_STORE"
RESULTS_ENV = "RNNLAB_RESULTS"
LOG_ENV = "RNNLAB_STORE_LOG"
MODES = ("read", "fill", "refresh", "strict", "verify", "off", "rekey")
"""The values ``RNNLAB_STORE`` may take (see the module doc)."""

VERIFY_RTOL = 1e-3
"""A retrained loss (or any metric other than an accuracy) reproduces its record when within
this relative difference of it (plus 1e-7 absolutely, for values near zero)."""
VERIFY_ATOL = 5e-3
"""A retrained accuracy reproduces its record within this absolute difference: about one answer
in 200 (chapter 3 validates on 500 sequences, so two answers may flip)."""


class StoreError(RuntimeError):
    """Base class of the store's errors."""


class MissingRecord(StoreError):
    """Strict mode needed a run the store does not hold."""


class RecordMismatch(StoreError):
    """Verify mode retrained a run and got other numbers than its record."""


class InvalidRecord(StoreError):
    """A record file is damaged or does not match its key; it is never served."""


def mode() -> str:
    """The store's mode: ``RNNLAB_STORE``, else ``off`` in fast mode and ``read`` in full mode.

    Raises:
        ValueError: for a value that is not one of :data:`MODES`.
    """
    raw = os.environ.get(STORE_ENV, "").strip().lower()
    if not raw:
        return "off" if fast_mode() else "read"
    if raw not in MODES:
        raise ValueError(f"{STORE_ENV} must be one of {', '.join(MODES)} (or unset); got {raw!r}")
    return raw


def root() -> Path:
    """The store's folder: ``RNNLAB_RESULTS``, else ``results/`` beside the ``rnnlab`` package."""
    override = os.environ.get(RESULTS_ENV, "").strip()
    return Path(override) if override else Path(__file__).resolve().parents[2] / "results"


def _plain(value: Any) -> Any:
    """JSON's fallback: NumPy scalars as Python numbers, anything else by its repr."""
    return value.item() if isinstance(value, np.generic) else repr(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)


def array_digest(array: Any) -> str:
    """A digest of an array's dtype, shape and bytes (BLAKE2b, 16 bytes, hex)."""
    array = np.ascontiguousarray(np.asarray(array))
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=64)
def _directions(size: int) -> np.ndarray:
    """``INIT_DIRECTIONS`` fixed ±1 vectors of length ``size`` (NumPy's PCG64 stream, the same
    on every platform)."""
    signs = np.random.default_rng(20_261_206).integers(0, 2, size=(INIT_DIRECTIONS, size))
    return (2.0 * signs - 1.0).astype(np.float64)


def init_fingerprint(value: Any) -> list[float] | None:
    """A floating-point variable's norm and its projections on 16 fixed ±1 directions (``_directions``), divided by
    the norm (each about N(0, 1) for random values); None for integer variables and all-zero
    ones (they are keyed exactly).

    Args:
        value: the variable's values (any shape).

    Returns:
        ``[norm, z_1, ..., z_16]`` as Python floats, or None.
    """
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        return None
    flat = array.astype(np.float64).ravel()
    norm = float(np.sqrt(np.sum(flat * flat)))
    if norm == 0.0 or not np.isfinite(norm):
        return None
    # a plain sum per direction (not BLAS, whose summation order depends on the processor)
    projections = np.sum(_directions(flat.size) * flat, axis=1) / norm
    return [norm, *(float(z) for z in projections)]


def init_signature(value: Any) -> Any:
    """What the key holds of one initial variable: an exact digest for integer (and all-zero or
    non-finite) values; for floating-point ones their dtype, shape, the norm's size on a
    log scale (steps of 2^(1/16), about 4 %) and the signs of their projections
    (:func:`init_fingerprint`), none of which round-off between processors changes (a sign would
    flip only for a projection within about 1e-7 of zero, a chance of about 1 in 10 million).
    """
    fingerprint = init_fingerprint(value)
    if fingerprint is None:
        return array_digest(value)
    array = np.asarray(value)
    norm, *projections = fingerprint
    signs = "".join("+" if z > 0 else "-" if z < 0 else "0" for z in projections)
    return {"dtype": array.dtype.str, "shape": list(array.shape),
            "scale": int(round(16 * np.log2(norm))), "signs": signs}


def fingerprints_agree(recorded: Sequence[Any], here: Sequence[Any]) -> bool:
    """Whether initial-weight fingerprints (:func:`init_fingerprint`, one per variable) agree
    within :data:`INIT_TOLERANCE`: the same initialisation up to round-off."""
    if len(recorded) != len(here):
        return False
    for a, b in zip(recorded, here):
        if (a is None) != (b is None):
            return False
        if a is None:
            continue
        if abs(b[0] / a[0] - 1.0) > INIT_TOLERANCE:
            return False
        if max(abs(x - y) for x, y in zip(a[1:], b[1:])) > INIT_TOLERANCE:
            return False
    return True


_AUTO_INPUT_NAME = re.compile(r"input_layer(_\d+)?$")


def _strip_names(value: Any) -> Any:
    """A configuration without the session-dependent ``name`` of its layers (``lstm_3``),
    optimizers (``adam_2``) and automatically named inputs (``input_layer_4``)."""
    if isinstance(value, Mapping):
        name = value.get("name")
        layer = isinstance(name, str) and (
            "trainable" in value or "learning_rate" in value
            or ("batch_shape" in value and bool(_AUTO_INPUT_NAME.match(name))))
        return {k: _strip_names(v) for k, v in value.items() if not (layer and k == "name")}
    if isinstance(value, (list, tuple)):
        return [_strip_names(v) for v in value]
    return value


def variable_values(model: Any) -> list[np.ndarray]:
    """The values of all of a model's variables (``model.variables`` order) as NumPy arrays."""
    import keras

    return [np.asarray(keras.ops.convert_to_numpy(v.value)) for v in model.variables]


class Unkeyable(ValueError):
    """A run whose configuration cannot be keyed (e.g. a callback holding a function): it is
    trained and never recorded."""


def _callback_config(callback: Any) -> dict[str, Any]:
    """A callback as its class and constructor arguments (read back from the attributes of the
    same names), not its run-time state (``best``, ``wait``, ...), which changes as it is used.

    Raises:
        Unkeyable: if an argument is not plain data (a schedule function, a file handle, ...).
    """
    import inspect

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


def key_material(model: Any, data: Mapping[str, Any], fit: Mapping[str, Any],
                 callbacks: Sequence[Any] = (),
                 values: Sequence[np.ndarray] | None = None) -> dict[str, Any]:
    """Everything that decides a training run's numbers, as plain data (see the module doc).

    Args:
        model: the compiled ``keras.Model``, before training.
        data: the arrays it is trained and validated on, by name.
        fit: the other arguments of the fit (epochs, batch size, seed, ...).
        callbacks: the user's Keras callbacks.
        values: the model's variable values (``variable_values(model)``), when the caller
            already has them.
    """
    import keras

    optimizer = model.optimizer
    material = {
        "protocol": PROTOCOL,
        "key_scheme": KEY_SCHEME,
        "backend": keras.backend.backend(),
        "deterministic": deterministic(),
        "layers": [[type(layer).__name__, _strip_names(layer.get_config())] for layer in model.layers],
        "variables": [init_signature(v) for v in
                      (variable_values(model) if values is None else values)],
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


def run_key(material: Mapping[str, Any]) -> str:
    """The key of a run: SHA-256 of its canonical key material, 24 hex digits."""
    return hashlib.sha256(_canonical(material).encode()).hexdigest()[:24]


def environment() -> dict[str, Any]:
    """Where a run is produced: machine, backend, determinism and library versions."""
    import copy

    import keras

    backend = keras.backend.backend()
    return {"backend": backend, "deterministic": deterministic(),
            **copy.deepcopy(_machine(backend))}


@functools.lru_cache(maxsize=None)
def _machine(backend: str) -> dict[str, Any]:
    """The parts of :func:`environment` that cannot change within a process (read once: every
    training run asks for them)."""
    import importlib.metadata as metadata

    import keras

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "keras": keras.__version__}
    for package in {"tensorflow": ["tensorflow"], "jax": ["jax", "jaxlib"],
                    "torch": ["torch"]}.get(backend, []):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return {"versions": versions, "cpu": cpu, "cpu_count": os.cpu_count(),
            "gpus": _gpus(backend), "platform": platform.platform()}


def _gpus(backend: str) -> list[str]:
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return [tf.config.experimental.get_device_details(d).get("device_name", d.name)
                    for d in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax

            return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # a broken driver must not stop a run from being recorded
        return []
    return []


def _npz_bytes(arrays: Sequence[np.ndarray]) -> bytes:
    """An .npz of ``arrays`` (``v000``, ``v001``, ...) with fixed timestamps: same arrays, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, array in enumerate(arrays):
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"v{i:03d}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.getvalue())
    return buffer.getvalue()


@dataclass
class StoredRun:
    """One record of the store, as read from its JSON file.

    Attributes:
        key: the run's key (its file name).
        label: a human-readable description (model, epochs), not part of the key.
        material: the key material the key was computed from.
        history, epoch_seconds, params, wall_seconds: what training produced.
        provenance: :func:`environment` of the producing run, and its ``date`` (UTC, ISO 8601).
        weights_sha256: SHA-256 of the ``.npz`` of trained variable values.
        init: :func:`init_fingerprint` of each variable before training, compared with the
            model's before the record is served (None in records made before key scheme 2
            and not yet rekeyed).
    """

    key: str
    label: str
    material: dict[str, Any]
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    params: int
    wall_seconds: float
    provenance: dict[str, Any]
    weights_sha256: str
    init: list[Any] | None = None


class Store:
    """A folder of run records (see the module doc). ``Store()`` is the course's store."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else root()

    @property
    def runs(self) -> Path:
        return self.folder / "runs"

    def keys(self) -> list[str]:
        """The keys of every record held, sorted."""
        return sorted(p.stem for p in self.runs.glob("*.json")) if self.runs.exists() else []

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self.runs / f"{key}.json").exists()

    def read(self, key: str) -> StoredRun:
        """The record of ``key``, checked: its key must be the hash of its material and its
        weights file must have the recorded SHA-256.

        Raises:
            KeyError: if there is no record of ``key``.
            rnnlab.experiments.store.InvalidRecord: if the record is damaged or does not match
                its key.
        """
        path = self.runs / f"{key}.json"
        if not path.exists():
            raise KeyError(f"no record {key} in {self.runs}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            run = StoredRun(**data)
        except (ValueError, TypeError) as error:
            raise InvalidRecord(f"{path} is not a run record: {error}") from None
        if run.key != key or run_key(run.material) != key:
            raise InvalidRecord(f"{path}: its key material hashes to {run_key(run.material)}, "
                                f"not {key}; the record is stale or was edited")
        self._weights_bytes(key, run)
        return run

    def _weights_bytes(self, key: str, run: StoredRun) -> bytes:
        weights = self.runs / f"{key}.npz"
        blob = weights.read_bytes() if weights.exists() else b""
        if hashlib.sha256(blob).hexdigest() != run.weights_sha256:
            raise InvalidRecord(f"{weights} is missing or does not match its record")
        return blob

    def weights(self, key: str) -> list[np.ndarray]:
        """The trained variable values of ``key``, in ``model.variables`` order, checked
        against the record's SHA-256 (the bytes are read once, then hashed and loaded).

        Raises:
            rnnlab.experiments.store.InvalidRecord: if the weights file is missing or not the
                recorded one.
        """
        blob = self._weights_bytes(key, self.read(key))
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            return [archive[f"v{i:03d}"] for i in range(len(archive.files))]

    def write(self, run: StoredRun, weights: Sequence[np.ndarray]) -> Path:
        """Write a record and its weights atomically (weights first, so a record never points
        at weights that are not there)."""
        from rnnlab.data import atomic_write

        blob = _npz_bytes(weights)
        run.weights_sha256 = hashlib.sha256(blob).hexdigest()
        atomic_write(self.runs / f"{run.key}.npz", blob)
        text = json.dumps(run.__dict__, indent=1, sort_keys=True, ensure_ascii=False,
                          default=_plain) + "\n"
        path = self.runs / f"{run.key}.json"
        atomic_write(path, text.encode("utf-8"))
        return path

    def predecessor(self, material: Mapping[str, Any],
                    variables: Sequence[np.ndarray]) -> str | None:
        """The key of a record made under key scheme 1 for the run whose (scheme 2) key material
        is ``material``: the same run in everything but the exact bits of its initial weights.

        Scheme 1 hashed those bits, which differ between processors by round-off, so a record
        made on another machine matches in everything else: protocol, backend, layers, compile
        settings, data, fit and callbacks, and as many variables. Round-off touches only computed
        values (an orthogonal matrix's QR decomposition), not uniform draws or constants, so the
        record must also match this model's scheme-1 digests exactly in every variable without a
        fingerprint (integers, zeros) and in at least half of the others, and it must have been
        made with the library versions installed here (so that the initialisers are the same
        code); of several such records the one matching most is taken, and a tie is refused.

        Args:
            material: the run's key material (``key_material``).
            variables: its initial variable values (``variable_values``).

        Returns:
            The old record's key, or None when there is none.

        Raises:
            InvalidRecord: if two old records fit equally well.
        """
        def rest(m: Mapping[str, Any]) -> str:
            return _canonical({k: v for k, v in m.items() if k not in ("variables", "key_scheme")})

        wanted = rest(material)
        versions = environment()["versions"]
        digests = [array_digest(v) for v in variables]
        exact = [init_fingerprint(v) is None for v in variables]
        scored = []
        for key in self.keys():
            data = json.loads((self.runs / f"{key}.json").read_text(encoding="utf-8"))
            old = data.get("material", {})
            if "key_scheme" in old or len(old.get("variables", [])) != len(digests):
                continue
            if rest(old) != wanted or data.get("provenance", {}).get("versions") != versions:
                continue                  # another run, or initialisers of other versions
            same = [a == b for a, b in zip(old["variables"], digests)]
            floats = [s for s, e in zip(same, exact) if not e]
            if all(s for s, e in zip(same, exact) if e) and 2 * sum(floats) >= len(floats):
                scored.append((sum(same), key))
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            raise InvalidRecord(f"{len(scored)} records of key scheme 1 fit this run equally "
                                f"well ({', '.join(k for _, k in scored)}); train it again")
        return scored[0][1]

    def rekey(self, old: str, material: Mapping[str, Any], init: Sequence[Any]) -> StoredRun:
        """Write record ``old`` again under the key of ``material`` (scheme 2), with this
        model's initial-weight fingerprints; its history, weights and provenance are kept, and
        the provenance says when and where it was rekeyed. The old record stays until removed.
        """
        record = self.read(old)
        weights = self.weights(old)
        key = run_key(material)
        moved = StoredRun(key=key, label=record.label, material=dict(material),
                          history=record.history, epoch_seconds=record.epoch_seconds,
                          params=record.params, wall_seconds=record.wall_seconds,
                          provenance={**record.provenance,
                                      "rekeyed": {"from": old, **_where_now()}},
                          weights_sha256="", init=list(init))
        self.write(moved, weights)
        return moved

    def remove(self, key: str) -> None:
        """Delete a record and its weights."""
        for suffix in (".json", ".npz"):
            (self.runs / f"{key}{suffix}").unlink(missing_ok=True)

    def check(self) -> list[str]:
        """Problems of the store: records that fail :meth:`read`'s checks, weights without a
        record. Empty when every record is sound."""
        problems = []
        for key in self.keys():
            try:
                self.read(key)
            except (InvalidRecord, KeyError) as error:
                problems.append(str(error))
        if self.runs.exists():
            for weights in self.runs.glob("*.npz"):
                if not (self.runs / f"{weights.stem}.json").exists():
                    problems.append(f"{weights} has no record")
        return problems


SESSION: list[tuple[StoredRun, bool]] = []
"""Every run of this process, in order, with True where it was served from the store: what
:func:`rnnlab.experiments.provenance` describes."""


def log_request(key: str, label: str) -> None:
    """Append ``key`` to the file named by ``RNNLAB_STORE_LOG``, if it is set."""
    path = os.environ.get(LOG_ENV, "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{key}\t{label}\n")


def requested_keys(log_path: str | Path) -> set[str]:
    """The keys a request log holds (see ``RNNLAB_STORE_LOG``)."""
    path = Path(log_path)
    if not path.exists():
        return set()
    return {line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line}


def compare_histories(recorded: Mapping[str, Sequence[float]],
                      retrained: Mapping[str, Sequence[float]]) -> list[str]:
    """Where a retrained history differs from its record beyond the verify tolerances.

    Accuracies (metrics whose name contains ``accuracy``) must agree within
    :data:`VERIFY_ATOL` absolutely, losses and other metrics within :data:`VERIFY_RTOL`
    relatively, epoch by epoch.

    Returns:
        One line per disagreement; empty when the run reproduces.
    """
    problems = []
    if set(recorded) != set(retrained):
        return [f"metrics differ: recorded {sorted(recorded)}, retrained {sorted(retrained)}"]
    for name in sorted(recorded):
        a, b = np.asarray(recorded[name], float), np.asarray(retrained[name], float)
        if a.shape != b.shape:
            problems.append(f"{name}: {a.size} epochs recorded, {b.size} retrained")
            continue
        if "accuracy" in name:
            bad = ~np.isclose(b, a, rtol=0, atol=VERIFY_ATOL, equal_nan=True)
        else:
            bad = ~np.isclose(b, a, rtol=VERIFY_RTOL, atol=1e-7, equal_nan=True)
        for epoch in np.flatnonzero(bad):
            problems.append(f"{name}, epoch {epoch + 1}: recorded {a[epoch]:.6g}, "
                            f"retrained {b[epoch]:.6g}")
    return problems


def new_run(key: str, label: str, material: Mapping[str, Any], history: Mapping[str, Any],
            epoch_seconds: Sequence[float], params: int, wall_seconds: float,
            init: Sequence[Any] | None = None) -> StoredRun:
    """A record of a run just trained here (its provenance is this machine, now); ``init``:
    the fingerprints of its initial variables (:func:`init_fingerprint`)."""
    return StoredRun(key=key, label=label, material=dict(material),
                     history={k: [float(x) for x in v] for k, v in history.items()},
                     epoch_seconds=[float(s) for s in epoch_seconds], params=int(params),
                     wall_seconds=float(wall_seconds), provenance=here_and_now(),
                     weights_sha256="", init=None if init is None else list(init))


def _where_now() -> dict[str, Any]:
    p = here_and_now()
    return {"cpu": p["cpu"], "date": p["date"]}


def here_and_now() -> dict[str, Any]:
    """:func:`environment` with the current date and time (UTC, ISO 8601) as ``date``."""
    return {**environment(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def provenance(runs: Sequence[tuple[StoredRun, bool]] | None = None) -> str:
    """One sentence saying where and when the training runs of a page were produced.

    Args:
        runs: ``(record, served)`` pairs (default: every run of this process, ``SESSION``).

    Returns:
        E.g. ``"12 runs served from the results store, trained on 2026-11-26 on Intel Xeon
        (2 cores, no GPU) with Keras 3.15.1 on TensorFlow 2.21.0, op determinism off"``.
    """
    runs = SESSION if runs is None else list(runs)
    seen: set[str] = set()  # a cell run twice (in Jupyter) serves the same record twice
    runs = [(r, s) for r, s in runs if not (r.key and (r.key in seen or seen.add(r.key)))]
    if not runs:
        return "no network was trained on this page"
    groups: dict[tuple[bool, str], list[str]] = {}
    for run, served in runs:
        p = run.provenance
        versions = p.get("versions", {})
        backend = p.get("backend", "?")
        gpus = ", ".join(p.get("gpus") or []) or "no GPU"
        where = (f"{p.get('cpu', '?')} ({p.get('cpu_count', '?')} cores, {gpus}) with Keras "
                 f"{versions.get('keras', '?')} on {_BACKEND_NAMES.get(backend, backend)} "
                 f"{versions.get(backend, '')}".rstrip()
                 + f", op determinism {'on' if p.get('deterministic') else 'off'}")
        groups.setdefault((served, where), []).append(str(p.get("date", "?"))[:10])
    parts = []
    for (served, where), dates in sorted(groups.items(), key=lambda item: not item[0][0]):
        span = min(dates) if min(dates) == max(dates) else f"{min(dates)} to {max(dates)}"
        count = f"{len(dates)} run{'s' if len(dates) != 1 else ''}"
        how = "served from the results store, trained" if served else "trained as the page was built,"
        parts.append(f"{count} {how} on {span} on {where}")
    return "; ".join(parts)


_BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
