"""Typed result records: what an experiment returns, how it is written and read back.

Every experiment of :mod:`rnnlab.experiments` returns a dataclass that derives from
:class:`Record`, so the contract between the chapters and the library is visible (on the API
page, to type checkers, in an editor's completion) instead of hidden in string keys.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from typing import Any

import numpy as np


__all__ = ["Record"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


NOT_SAVED = {"saved": False}
"""Field metadata (``field(metadata=NOT_SAVED)``) of a record attribute that :meth:`Record.to_json`
leaves out, such as a trained model kept for the chapter to use."""


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, tuples as lists and NumPy scalars and arrays as Python
    numbers and lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class Record:
    """Base of the result dataclasses: JSON in and out, and dict-style reading.

    ``record.to_json()`` gives plain JSON-ready data; ``Type.from_json(data)`` rebuilds the
    record and refuses keys it does not know (so a file written by another version is noticed).
    ``record["name"]`` reads a field like ``record.name``, for code written when results were
    dicts.
    """

    def to_json(self) -> dict[str, Any]:
        """The record as plain data (dicts, lists, numbers, strings), ready for ``json.dumps``;
        fields marked ``NOT_SAVED`` are left out."""
        return plain({f.name: getattr(self, f.name) for f in fields(self)  # type: ignore[arg-type]
                      if f.metadata.get("saved", True)})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Any:
        """Rebuild a record from :meth:`to_json`'s output.

        Raises:
            ValueError: for unknown keys, or missing keys that have no default.
        """
        from dataclasses import MISSING

        spec = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        required = {name for name, f in spec.items()
                    if f.default is MISSING and f.default_factory is MISSING}
        unknown, missing = set(data) - set(spec), required - set(data)
        if unknown or missing:
            raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}, missing keys "
                             f"{sorted(missing)}")
        return cls(**{name: data[name] for name in spec if name in data})

    def __contains__(self, key: object) -> bool:
        return key in {f.name for f in fields(self)}  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        if key not in {f.name for f in fields(self)}:  # type: ignore[arg-type]
            raise KeyError(f"{type(self).__name__} has no field {key!r}")
        return getattr(self, key)
