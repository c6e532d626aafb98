"""Where a run is produced: the machine, the backend, determinism and the library versions.

Recorded beside every run (never in its key: they change round-off, not what the run is).
"""
from __future__ import annotations

import copy
import functools
import os
import platform
import time
from typing import Any

import numpy as np

from rnnlab.config import deterministic


__all__: list[str] = []
"""Nothing at package level: the store reads this module (the API page lists it with the store)."""


def environment() -> dict[str, Any]:
    """This process: ``backend``, ``deterministic``, ``versions`` (Python, NumPy, Keras and the
    backend's packages), ``cpu``, ``cpu_count``, ``gpus`` and ``platform``."""
    import keras

    backend = keras.backend.backend()
    return {"backend": backend, "deterministic": deterministic(),
            **copy.deepcopy(_machine(backend))}


def here_and_now() -> dict[str, Any]:
    """:func:`environment` with the current date and time (UTC, ISO 8601) as ``date``."""
    return {**environment(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def flat(provenance: dict[str, Any] | None = None) -> dict[str, Any]:
    """A provenance (default: this machine, now) with its ``versions`` merged in: one level, as
    ``python -m rnnlab compare`` writes it to ``results.json``."""
    nested = dict(provenance) if provenance is not None else environment()
    return {**{k: v for k, v in nested.items() if k != "versions"}, **nested.get("versions", {})}


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
