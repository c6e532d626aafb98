"""A fair comparison of cells (chapter 6): the same tuning budget for each, chosen on validation.

Applying one untuned optimizer setting to every cell measures the setting as much as the cells;
Greff et al. (2017) and Jozefowicz et al. (2015) tuned every variant separately for that reason.
Here every cell gets the same small grid (:data:`TUNING_GRID`), each setting trained once with
the tuning seed; the setting with the best last-epoch validation accuracy is kept per cell
(:func:`tune`), then trained again with fresh seeds and evaluated once on the test images
(:func:`tuned_runs`). Nothing is chosen on the test set.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rnnlab.cells import count_params
from rnnlab.checks import integer
from rnnlab.config import SEED
from rnnlab.experiments.comparison import CompareConfig, CompareRun, compare
from rnnlab.experiments.records import Record


__all__ = ["Setting", "TUNING_GRID", "Tuning", "tune", "tuned_runs", "model_params",
    "matched_units", "epoch_seconds", "epoch_timings"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


@dataclass(frozen=True)
class Setting:
    """One point of a tuning grid: an optimizer and its learning rate (and SGD's momentum)."""

    optimizer: str
    learning_rate: float
    momentum: float = 0.0

    @property
    def label(self) -> str:
        """E.g. ``"Adam, learning rate 0.001"`` or ``"SGD + momentum 0.9, learning rate 0.05"``."""
        name = "Adam" if self.optimizer == "adam" else (
            f"SGD + momentum {self.momentum:g}" if self.momentum else "SGD")
        return f"{name}, learning rate {self.learning_rate:g}"

    def apply(self, config: CompareConfig) -> CompareConfig:
        """``config`` trained with this setting."""
        return replace(config, optimizer=self.optimizer, learning_rate=self.learning_rate,
                       momentum=self.momentum)


TUNING_GRID: tuple[Setting, ...] = (
    Setting("adam", 1e-3), Setting("adam", 3e-3),
    Setting("sgd", 0.01, 0.9), Setting("sgd", 0.05, 0.9),
)
"""The grid every cell is tuned over: Adam at Keras' default learning rate and three times it,
SGD with momentum 0.9 at the article's learning rate and five times it."""


@dataclass
class Tuning(Record):
    """What :func:`tune` measured and chose.

    Attributes:
        cells: the cells tuned.
        grid: the settings tried, as dicts (``optimizer``, ``learning_rate``, ``momentum``).
        labels: each setting's label.
        seed: the tuning seed (the final runs use others).
        validation: per cell, the last-epoch validation accuracy of each setting, in grid order.
        best: per cell, the index of the chosen setting (the highest validation accuracy; the
            first on a tie).
        runs: every tuning run (the test set is not evaluated while choosing: their
            ``test_accuracy`` is NaN).
    """

    cells: list[str]
    grid: list[dict[str, float | str]]
    labels: list[str]
    seed: int
    validation: dict[str, list[float]]
    best: dict[str, int]
    runs: list[CompareRun]

    def setting(self, cell: str) -> Setting:
        """The setting chosen for ``cell``."""
        return Setting(**self.grid[self.best[cell]])


def tune(base: CompareConfig, grid: Sequence[Setting] = TUNING_GRID, seed: int = SEED,
         log: Callable[[str], Any] | None = None) -> Tuning:
    """Train every cell of ``base`` with every setting of ``grid`` (one run each, seed ``seed``)
    and choose, per cell, the setting with the best last-epoch validation accuracy.

    Args:
        base: the comparison to tune (its cells, units, budget, data; its optimizer settings
            are replaced by each setting's).
        grid: the settings, the same for every cell.
        seed: the tuning seed.
        log: optional callable told when each run starts and ends.

    Returns:
        A :class:`Tuning`.

    Raises:
        ValueError: for an empty grid, a setting :class:`CompareConfig` refuses, or a protocol
            other than ``"honest"`` (the article's validates on test images).
    """
    if not grid:
        raise ValueError("tune needs at least one setting")
    if base.protocol != "honest":
        raise ValueError(f"tune chooses on validation data, and the {base.protocol!r} protocol "
                         "validates on test images: tune with protocol='honest'")
    seed = integer("seed", seed, minimum=0)
    runs: list[CompareRun] = []
    validation: dict[str, list[float]] = {cell: [] for cell in base.cells}
    for setting in grid:
        result = compare(replace(setting.apply(base), seeds=(seed,)), log=log, test=False)
        runs += result.runs
        for run in result.runs:
            validation[run.cell].append(run.validation_accuracy)
    best = {cell: int(np.argmax(values)) for cell, values in validation.items()}
    return Tuning(cells=list(base.cells), grid=[vars(s).copy() for s in grid],
                  labels=[s.label for s in grid], seed=seed, validation=validation, best=best,
                  runs=runs)


def tuned_runs(base: CompareConfig, tuning: Tuning, seeds: Sequence[int], *,
               units: Mapping[str, int] | None = None, cells: Sequence[str] | None = None,
               log: Callable[[str], Any] | None = None, diagnose: bool = False) -> list[CompareRun]:
    """Train each cell with its chosen setting and the given seeds; evaluate once on test.

    Args:
        base: the comparison that was tuned.
        tuning: :func:`tune`'s result.
        seeds: the seeds of the final runs (give other seeds than the tuning seed, so that no
            reported run took part in the choice).
        units: optional width per cell (default: ``base.units``), e.g. from
            :func:`matched_units`.
        cells: which cells (default: every tuned cell).
        log: optional callable told when each run starts and ends.
        diagnose: passed to :func:`~rnnlab.experiments.compare`.

    Returns:
        The runs, cell by cell, seeds in the order given.
    """
    runs: list[CompareRun] = []
    for cell in cells or tuning.cells:
        config = replace(tuning.setting(cell).apply(base), cells=(cell,), seeds=tuple(seeds),
                         units=(units or {}).get(cell, base.units))
        runs += compare(config, log=log, diagnose=diagnose).runs
    return runs


def model_params(cell: str, units: int, *, features: int = 28, classes: int = 10,
                 batch_norm: bool = False) -> int:
    """Parameters of the chapter-6 model: the recurrent layer, BatchNormalization (4 per unit,
    when present) and the ``Dense(classes)`` head."""
    return (count_params(cell, features, units) + (4 * units if batch_norm else 0)
            + units * classes + classes)


def matched_units(cell: str, target: int, *, features: int = 28, classes: int = 10,
                  batch_norm: bool = False) -> int:
    """The width at which ``cell``'s model has the parameter count closest to ``target``
    (the smaller width on a tie).

    Args:
        cell: a registered cell.
        target: the parameter count to match (e.g. the 64-unit GRU model's).
        features, classes, batch_norm: the model (see :func:`model_params`).

    Returns:
        The number of units.
    """
    target = integer("target", target)
    best, width = None, 1
    while True:
        gap = abs(model_params(cell, width, features=features, classes=classes,
                               batch_norm=batch_norm) - target)
        if best is not None and gap > best[0]:
            return best[1]
        if best is None or gap < best[0]:
            best = (gap, width)
        width += 1


def epoch_seconds(backend: str = "tensorflow", deterministic: bool = False,
                  file: str = "epoch_times-vm.json") -> dict[str, Any]:
    """Seconds per training epoch of chapter 6's models, as ``benchmarks/epoch_times.py`` measured
    them (64 units, batch 64, one process alone on the machine).

    Args:
        backend, deterministic: which of the benchmark's rows.
        file: the benchmark's file in ``rnnlab/data/timings`` (default: the chapter's tuned
            models, measured on the course's reference virtual machine, an AMD EPYC with 2
            logical cores; ``epoch_times_batchnorm-vm.json``: the optional section's models with
            BatchNormalization; the recorded training runs may come from other machines, as each
            record's provenance says).

    Returns:
        That row of :func:`epoch_timings`, with ``file`` added: ``machine`` (the CPU, cores
        and GPUs in words), ``per`` (images per epoch the seconds are scaled to), ``samples``
        (images timed per pass), ``seconds`` (cell to seconds per epoch), ``matmul_gflops``
        (GFLOP/s of one large matrix product in the same process; None in files written before
        it was measured), ``model`` (``"tuned"`` or ``"batchnorm"``: which models were timed),
        ``optimizers`` (cell to its optimizer's name, learning rate and momentum), ``each``
        (cell to the seconds of every timed epoch; ``seconds`` is their median),
        ``per_process`` (cell to each benchmark process's median epoch), and ``backend``,
        ``deterministic`` and ``versions``.

    Raises:
        FileNotFoundError: if the file is missing, with the command that writes one.
        KeyError: if it has no row for that backend and determinism setting.
    """
    for row in epoch_timings(file):
        if row["backend"] == backend and row["deterministic"] == bool(deterministic):
            return {**row, "file": file}
    raise KeyError(f"{file} has no row for backend {backend!r} with determinism "
                   f"{'on' if deterministic else 'off'}")


def epoch_timings(file: str = "epoch_times-vm.json") -> list[dict[str, Any]]:
    """Every row of a ``benchmarks/epoch_times.py`` file: one per backend and determinism
    setting it timed, in the file's order (see :func:`epoch_seconds` for one row).

    Args:
        file: the benchmark's file in ``rnnlab/data/timings``.

    Returns:
        One dict per row: ``backend``, ``deterministic`` (bool), ``versions`` (Keras and the
        backend's), ``machine`` (the CPU, logical cores and GPUs in words), ``per`` (images per
        epoch the seconds are scaled to), ``samples`` (images timed per pass), ``seconds`` (cell
        to the median seconds per epoch), ``matmul_gflops`` (None where not measured), and
        ``model``, ``optimizers``, ``each`` and ``per_process`` as in :func:`epoch_seconds`.

    Raises:
        FileNotFoundError: if the file is missing, with the command that writes one.
    """
    import json

    from rnnlab.experiments.modern import TIMINGS

    path = TIMINGS / file
    if not path.exists():
        raise FileNotFoundError(f"no {file} in {TIMINGS}: run python benchmarks/epoch_times.py "
                                "to time this machine")
    written = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for row in written["rows"]:
        env = row["environment"]
        gpus = ", ".join(env.get("gpus") or []) or "no GPU"
        peak = row.get("matmul_gflops")
        rows.append({"backend": row["backend"], "deterministic": bool(row["deterministic"]),
                     "versions": dict(env.get("versions", {})),
                     "machine": f"{env['cpu']}, {env['cpu_count']} logical cores, {gpus}",
                     "per": int(written["settings"]["per"]),
                     "samples": int(written["settings"]["samples"]),
                     "seconds": {cell: float(v) for cell, v in row["seconds_per_epoch"].items()},
                     "matmul_gflops": None if peak is None else float(peak),
                     **_row_extras(written, row)})
    return rows


def _row_extras(written: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """What a benchmark row adds to its seconds: ``model`` (files written before the benchmark
    had ``--model`` timed the BatchNormalization model, SGD at Keras' default rate), per cell
    ``optimizers`` as (name, learning rate, momentum), per cell ``each``: the seconds of every
    timed epoch, and per cell ``per_process``: the median epoch of each fresh process (files
    written before the benchmark timed epochs one by one, in several processes: the one figure
    they hold)."""
    model = written["settings"].get("model", "batchnorm")
    default = {cell: ("sgd", 0.01, 0.0) for cell in row["seconds_per_epoch"]}
    optimizers = row.get("optimizers") or default
    each = row.get("seconds_each_epoch") or {c: [s] for c, s in row["seconds_per_epoch"].items()}
    per_process = row.get("seconds_per_process") or {c: [s] for c, s in row["seconds_per_epoch"].items()}
    return {"model": model,
            "optimizers": {cell: (str(o[0]), float(o[1]), float(o[2])) for cell, o in optimizers.items()},
            "each": {cell: [float(v) for v in values] for cell, values in each.items()},
            "per_process": {cell: [float(v) for v in values] for cell, values in per_process.items()}}
