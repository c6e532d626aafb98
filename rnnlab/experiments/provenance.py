"""Where the trained numbers of a page come from: the runs of this process, summarised.

Every chapter that trains ends with one short line glued from :func:`rnnlab.experiments.page_runs`; the page
*How the numbers were made* (``book/numbers.ipynb``) tabulates the whole store with
:func:`machines`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


__all__ = ["PageRuns", "page_runs"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

SESSION: list[tuple[Any, bool]] = []
"""Every training run of this process, in order (a :class:`~rnnlab.experiments.store.StoredRun`
and True where it was served from the results store)."""

_BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


@dataclass
class PageRuns:
    """The training runs of one page.

    Attributes:
        runs: how many distinct runs (a run asked for twice counts once).
        served: how many of them came from the results store.
        dates: when they were trained, as a phrase: ``on 2026-11-26``, or
            ``from 2026-11-26 to 2026-12-06``.
        hours: their training time added up, in hours, on the machines that trained them
            (each record's wall time): what training them all again from scratch would take
            on such a machine.
    """

    runs: int
    served: int
    dates: str
    hours: float = 0.0


def page_runs(session: Sequence[tuple[Any, bool]] | None = None) -> PageRuns:
    """A summary of the runs of this process (default ``SESSION``, every run so far)."""
    runs = SESSION if session is None else session
    seen: set[str] = set()
    distinct = [(r, s) for r, s in runs if not (r.key and (r.key in seen or seen.add(r.key)))]
    days = sorted(str(r.provenance.get("date", "?"))[:10] for r, _ in distinct)
    dates = ("" if not days else f"on {days[0]}" if days[0] == days[-1]
             else f"from {days[0]} to {days[-1]}")
    return PageRuns(runs=len(distinct), served=sum(s for _, s in distinct), dates=dates,
                    hours=sum(float(r.wall_seconds) for r, _ in distinct) / 3600)


def where(provenance: dict[str, Any]) -> str:
    """A machine in a few words: ``AMD EPYC 7B13 (2 cores, no GPU)``."""
    gpus = ", ".join(provenance.get("gpus") or []) or "no GPU"
    return f"{provenance.get('cpu', '?')} ({provenance.get('cpu_count', '?')} cores, {gpus})"


def software(provenance: dict[str, Any]) -> str:
    """The software in a few words: ``Keras 3.15.1 on TensorFlow 2.21.0, op determinism off``."""
    versions = provenance.get("versions", {})
    backend = provenance.get("backend", "?")
    return (f"Keras {versions.get('keras', '?')} on {_BACKEND_NAMES.get(backend, backend)} "
            f"{versions.get(backend, '')}".rstrip()
            + f", op determinism {'on' if provenance.get('deterministic') else 'off'}")


def machines(records: Iterable[Any]) -> list[list[str]]:
    """One row per machine and software the records were trained with: machine, software,
    number of runs, first and last day, hours of training."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for record in records:
        groups.setdefault((where(record.provenance), software(record.provenance)), []).append(record)
    rows = []
    for (machine, soft), group in sorted(groups.items(), key=lambda item: -len(item[1])):
        days = sorted(str(r.provenance.get("date", "?"))[:10] for r in group)
        hours = sum(r.wall_seconds for r in group) / 3600
        rows.append([machine, soft, str(len(group)), days[0], days[-1], f"{hours:.1f}"])
    return rows
