"""The results store: every full-budget training run, recorded once and served by its key.

A run's key hashes its recipe (:mod:`rnnlab.experiments.recipe`: layers, compile settings, data,
budget, the one seed that built and fits the model, backend, determinism, protocol). A record is
``results/runs/<key>.json`` (recipe, history, timings, where and when, a fingerprint of the
initial weights, a checksum over all of it) and ``<key>.npz`` (the trained weights, hashed in it).
A record is served only if its checksum holds and the model starts from its initial weights;
otherwise the store raises an error naming the run. ``RNNLAB_STORE`` sets the mode: ``read``
(full mode's default: serve, or train without writing), ``fill`` (also write), ``refresh``
(train and write everything), ``strict`` (serve or fail: CI), ``verify`` (retrain, compare with
the record), ``off`` (fast mode's default). ``RNNLAB_RESULTS`` moves the store;
``RNNLAB_STORE_LOG`` names a file that lists every key asked for.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import fast_mode
from rnnlab.experiments.machine import here_and_now
from rnnlab.experiments.recipe import (canonical, fingerprints_agree, init_fingerprint, run_key,
                                       variable_values)


__all__ = ["Store"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

STORE_ENV = "RNNLAB_STORE"
RESULTS_ENV = "RNNLAB_RESULTS"
LOG_ENV = "RNNLAB_STORE_LOG"
MODES = ("read", "fill", "refresh", "strict", "verify", "off")
"""The values ``RNNLAB_STORE`` may take (see the module doc)."""

VERIFY_RTOL = 1e-3
"""A retrained loss (or any metric other than an accuracy) reproduces its record when within
this relative difference of it (plus 1e-7 absolutely, for values near zero)."""
VERIFY_ATOL = 5e-3
"""A retrained accuracy reproduces its record within this absolute difference: about one answer
in 200 (chapter 3 validates on 500 sequences, so two answers may flip)."""


TRAINED_UNRECORDED: list[str] = []
"""The runs this process trained in ``read`` mode because the store lacked them: their numbers
are not the recorded ones (:func:`rnnlab.claims.numbers_are_recorded`)."""


class StoreError(RuntimeError):
    """Base class of the store's errors."""


class MissingRecord(StoreError):
    """Strict or verify mode needed a run the store does not hold."""


class RecordMismatch(StoreError):
    """Verify mode retrained a run and got other numbers than its record."""


class InvalidRecord(StoreError):
    """A record file is damaged, edited or stale; it is never served."""


class InitMismatch(StoreError):
    """A model asked for a recorded run but does not start from the run's initial weights."""


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
    """The store's folder: ``RNNLAB_RESULTS``; else ``results/`` of the repository the package
    sits in (a clone); else the copy an installed package carries (``rnnlab/recorded/``, the
    same records, shipped in the wheel: ``pip install`` on Colab serves them offline)."""
    override = os.environ.get(RESULTS_ENV, "").strip()
    if override:
        return Path(override)
    package = Path(__file__).resolve().parents[1]
    clone = package.parent / "results"
    return clone if (clone / "runs").is_dir() else package / "recorded"


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
        key: the run's key (its file name): :func:`~rnnlab.experiments.recipe.run_key` of
            ``recipe``.
        label: a human-readable description (model, epochs, seed), not part of the key.
        recipe: what the run is (:func:`rnnlab.experiments.recipe.recipe`).
        history, epoch_seconds, params, wall_seconds: what training produced.
        provenance: where and when it was trained
            (:func:`rnnlab.experiments.machine.here_and_now`).
        init: :func:`~rnnlab.experiments.recipe.init_fingerprint` of each variable before
            training, compared with the model's before the record is served.
        weights_sha256: SHA-256 of the ``.npz`` of trained variable values.
        checksum: SHA-256 of every other field (:meth:`digest`): an edited number is refused.
    """

    key: str
    label: str
    recipe: dict[str, Any]
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    params: int
    wall_seconds: float
    provenance: dict[str, Any]
    init: list[list[Any]]
    weights_sha256: str = ""
    checksum: str = ""

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of every field but ``checksum``."""
        fields = {k: v for k, v in asdict(self).items() if k != "checksum"}
        return hashlib.sha256(canonical(fields).encode()).hexdigest()


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
        """The record of ``key``, checked: its key must be the hash of its recipe, its checksum
        must cover every field as written, and its weights file must have the recorded SHA-256.

        Raises:
            KeyError: if there is no record of ``key``.
            rnnlab.experiments.store.InvalidRecord: if the record is damaged, edited or stale.
        """
        path = self.runs / f"{key}.json"
        if not path.exists():
            raise KeyError(f"no record {key} in {self.runs}")
        try:
            run = StoredRun(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as error:
            raise InvalidRecord(f"{path} is not a run record: {error}") from None
        if run.key != key or run_key(run.recipe) != key:
            raise InvalidRecord(f"{path}: its recipe hashes to {run_key(run.recipe)}, not {key}; "
                                "the record is stale or was edited")
        if run.checksum != run.digest():
            raise InvalidRecord(f"{path}: its checksum does not match its contents; the record "
                                "was edited")
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
        against the record.

        Raises:
            rnnlab.experiments.store.InvalidRecord: if the record or its weights are not sound.
        """
        blob = self._weights_bytes(key, self.read(key))
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            return [archive[f"v{i:03d}"] for i in range(len(archive.files))]

    def write(self, run: StoredRun, weights: Sequence[np.ndarray]) -> Path:
        """Write a record and its weights atomically (weights first, so a record never points
        at weights that are not there); sets ``run.weights_sha256`` and ``run.checksum``."""
        from rnnlab.data import atomic_write

        blob = _npz_bytes(weights)
        run.weights_sha256 = hashlib.sha256(blob).hexdigest()
        run.checksum = run.digest()
        atomic_write(self.runs / f"{run.key}.npz", blob)
        text = json.dumps(asdict(run), indent=1, sort_keys=True, ensure_ascii=False,
                          default=lambda v: v.item() if isinstance(v, np.generic) else repr(v))
        path = self.runs / f"{run.key}.json"
        atomic_write(path, (text + "\n").encode("utf-8"))
        return path

    def remove(self, key: str) -> None:
        """Delete a record and its weights."""
        for suffix in (".json", ".npz"):
            (self.runs / f"{key}{suffix}").unlink(missing_ok=True)

    def check(self) -> list[str]:
        """Problems of the store: a missing folder, records that fail :meth:`read`'s checks,
        weights without a record. Empty when every record is sound.
        """
        if not self.runs.is_dir():
            return [f"{self.runs} does not exist: no results store there"]
        problems = []
        for key in self.keys():
            try:
                self.read(key)
            except (InvalidRecord, KeyError) as error:
                problems.append(str(error))
        for weights in self.runs.glob("*.npz"):
            if not (self.runs / f"{weights.stem}.json").exists():
                problems.append(f"{weights} has no record")
        return problems


@dataclass
class Outcome:
    """What :func:`serve_or_train` did: the record (served or just made) and whether served."""

    run: StoredRun
    served: bool
    history: dict[str, list[float]] = field(default_factory=dict)


Trained = tuple[dict[str, list[float]], list[float], int, float]
"""What a training function returns: history, seconds per epoch, parameters, wall seconds."""


def serve_or_train(model: Any, recipe: Mapping[str, Any] | None, label: str,
                   train: Callable[[], Trained], *, store_mode: str | None = None,
                   box: Store | None = None) -> Outcome:
    """Serve a recorded run, or train it (``train()``), as the mode says; the one place that
    decides.

    Args:
        model: the compiled model, before training; a served record's weights are assigned to
            it.
        recipe: the run's recipe, or None for a run that cannot be recorded.
        label: what the run is, for messages and the record.
        train: trains the model and returns (history, epoch seconds, parameters, wall seconds).
        store_mode: one of :data:`MODES` (default :func:`mode`).
        box: the store (default ``Store()``).

    Returns:
        An :class:`Outcome`. Every run of the process is appended to
        ``rnnlab.experiments.provenance.SESSION``.

    Raises:
        MissingRecord: in strict or verify mode, for a run the store lacks.
        InitMismatch: for a recorded run whose initial weights are not the model's.
        RecordMismatch: in verify mode, when the retrained history differs from the record.
        InvalidRecord: for a damaged record (except in refresh mode, which rewrites it).
        StoreError: for a model already served from the store (its optimizer state is not
            recorded, so it cannot be trained further through the store).
    """
    from rnnlab.experiments.provenance import SESSION

    store_mode = mode() if store_mode is None else store_mode
    if store_mode == "off" or recipe is None:
        history, seconds, params, wall = train()
        run = StoredRun(key="", label=label, recipe={}, history=history, epoch_seconds=seconds,
                        params=params, wall_seconds=wall, provenance=here_and_now(), init=[])
        SESSION.append((run, False))
        return Outcome(run, False, history)
    if getattr(model, "_rnnlab_served", None):
        raise StoreError(
            f"{model.name} holds the weights of recorded run {model._rnnlab_served} but not its "
            "optimizer state, so training it further would not be the recorded continuation; "
            "build the model again, or set RNNLAB_STORE=off")
    box = Store() if box is None else box
    key = run_key(recipe)
    log_request(key, label)
    init = [init_fingerprint(v) for v in variable_values(model)]
    held = None
    if key in box and store_mode != "refresh":
        held = box.read(key)
        if not fingerprints_agree(held.init, init):
            raise InitMismatch(
                f"{label}: the recorded run {key} started from other initial weights than this "
                f"model; build the model right after seeding with the fit's seed "
                f"({recipe.get('fit', {}).get('seed')}), as rnnlab's builders do with seed=, "
                "or set RNNLAB_STORE=off to train it here")
    if held is not None and store_mode in {"read", "fill", "strict"}:
        variables = box.weights(key)
        if len(variables) != len(model.variables):
            raise InvalidRecord(f"record {key} holds {len(variables)} variables, the model "
                                f"has {len(model.variables)}")
        for variable, value in zip(model.variables, variables):
            # the .npz holds a scalar variable as shape (1,) (np.ascontiguousarray): reshape back
            variable.assign(np.reshape(value, tuple(variable.shape)))
        model._rnnlab_served = key
        SESSION.append((held, True))
        return Outcome(held, True, held.history)
    if store_mode in {"strict", "verify"} and held is None:
        raise MissingRecord(f"the results store {box.runs} has no record of {label} (key "
                            f"{key}); run `python3 tools/course.py results` to record it")
    if store_mode == "read":
        TRAINED_UNRECORDED.append(label)
        print(_training_notice(box, recipe, label), flush=True)
    history, seconds, params, wall = train()
    run = StoredRun(key=key, label=label, recipe=dict(recipe), history=history,
                    epoch_seconds=seconds, params=params, wall_seconds=wall,
                    provenance=here_and_now(), init=init)
    if store_mode == "verify":
        problems = compare_histories(held.history, history)
        if problems:
            raise RecordMismatch(f"{label} (key {key}) does not reproduce its record:\n"
                                 + "\n".join(problems))
    if store_mode in {"fill", "refresh"}:
        box.write(run, variable_values(model))
    SESSION.append((run, False))
    return Outcome(run, False, history)


def _training_notice(box: Store, recipe: Mapping[str, Any], label: str) -> str:
    """What a learner reads before a full-budget run the course has not recorded for this setup
    is trained: how long a recording of the same model took, and how to switch to small budgets."""
    fit = recipe.get("fit", {})
    like = [box.read(key) for key in box.keys()
            if (box.runs / f"{key}.json").read_text(encoding="utf-8").count(f'"label": "{label}"')]
    took = (f"Its recording took {like[0].wall_seconds / 60:.0f} minutes on "
            f"{like[0].provenance.get('cpu', 'a CPU')}." if like else
            f"It trains {fit.get('epochs', '?')} epochs.")
    return (f"Training {label}: the course has no recording of this run for your setup "
            f"(Keras version, backend or data differ), so it trains here. {took} For small "
            "budgets instead, restart and run rnnlab.setup(fast=True) in the first cell.")


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
