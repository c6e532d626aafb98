"""``Splits``: the one shape of a data set cut into training, validation and test parts."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED

Pair = tuple[Any, Any]
"""Inputs and targets, ``(x, y)``."""
PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class Splits(Mapping):
    """A data set cut into ``train``, ``validation`` and ``test`` pairs ``(x, y)``.

    Every loader that cuts a data set returns one, and the training harness
    (:func:`rnnlab.experiments.fit_evaluate`) takes one. It is also a read-only mapping, so
    ``splits["train"]`` and ``for name, (x, y) in splits.items()`` work as on a dict.

    Attributes:
        train, validation, test: the three ``(x, y)`` pairs; the validation set chooses
            (epochs, settings), the test set is evaluated once at the end.
    """

    train: Pair
    validation: Pair
    test: Pair

    def __getitem__(self, part: str) -> Pair:
        if part not in PARTS:
            raise KeyError(f"no split named {part!r}; the splits are {', '.join(PARTS)}")
        return getattr(self, part)

    def __iter__(self) -> Iterator[str]:
        return iter(PARTS)

    def __len__(self) -> int:
        return len(PARTS)

    def sizes(self) -> dict[str, int]:
        """How many examples each part holds."""
        return {part: len(self[part][1]) for part in PARTS}

    def map(self, function: Callable[[Pair], Pair]) -> Splits:
        """A new ``Splits`` with ``function`` applied to each ``(x, y)`` pair (e.g. scaling)."""
        return Splits(*(function(self[part]) for part in PARTS))

    @classmethod
    def holdout(cls, train: Pair, test: Pair, per_class: int, seed: int = SEED) -> Splits:
        """Carve a class-balanced validation set out of a training set that has none.

        ``per_class`` examples of every class of ``train`` are drawn at random (seeded) for
        validation; the rest stay for training, in their order; the test set is kept as given.

        Args:
            train: ``(x, y)`` with integer class labels ``y``; ``x`` an array or a list.
            test: ``(x, y)``, untouched.
            per_class: validation examples per class (each class must have more).
            seed: seed of the draw.

        Returns:
            The three parts.
        """
        x, y = train
        y = np.asarray(y)
        integer("per_class", per_class)
        if len(x) != len(y):
            raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
        rng = np.random.default_rng(seed)
        chosen = []
        for label in np.unique(y):
            members = np.flatnonzero(y == label)
            if len(members) <= per_class:
                raise ValueError(f"class {label} has {len(members)} examples, too few to hold "
                                 f"out {per_class} and keep some for training")
            chosen.append(rng.choice(members, per_class, replace=False))
        is_validation = np.isin(np.arange(len(y)), np.concatenate(chosen))

        def take(mask: np.ndarray) -> Pair:
            picked = x[mask] if isinstance(x, np.ndarray) else [a for a, m in zip(x, mask) if m]
            return picked, y[mask]

        return cls(take(~is_validation), take(is_validation), test)
