"""The training harness: train Keras models and keep what the chapters report, as typed records.

The package is split by job. ``rnnlab.experiments.training``: :func:`train` wraps ``model.fit`` and
records the per-epoch history and wall time, :func:`fit_evaluate` adds early stopping and one
evaluation on the test set. ``rnnlab.experiments.adding``: :func:`length_sweep` trains cells on the
adding problem (chapters 2 and 4), :func:`clipping_run` is chapter 2's exploding-gradient
experiment (:func:`clipping_batches` its first batches in NumPy).
``rnnlab.experiments.modern``: :func:`sunspot_forecasts` and :func:`parity_sweep` (chapter 10's two
tasks), :func:`scan_timings`, :func:`pass_seconds` and :func:`pass_timings`.
``rnnlab.experiments.stats``: :func:`seed_spread`, :func:`t_interval`, :func:`paired_difference`
and :func:`seed_and_test_interval` judge results over seeds; ``rnnlab.experiments.tuning``:
:func:`tune` and :func:`tuned_runs` (chapter 6's tuning loop). ``rnnlab.experiments.store``: the
results store every training run is recorded in and served from (:class:`Store`);
``rnnlab.experiments.provenance``: :func:`page_runs` says where a page's runs come from.
``rnnlab.experiments.comparison``: :func:`compare` is the MNIST comparison of chapter 6 and of
``python -m rnnlab compare``. ``rnnlab.experiments.scratch``: :func:`scratch_vs_keras` trains a
small network with a NumPy loop written out and with Keras, :func:`char_scratch_vs_keras` a
character model. ``rnnlab.experiments.language``: chapter 7's :func:`language_run` (character
language models) and chapter 8's :func:`seq2seq_run` (an encoder–decoder that adds).
``rnnlab.experiments.attention``: chapter 9's :func:`reversal_run` and :func:`attention_sweep`
(encoder–decoders with and without attention reversing digit strings).

Every experiment returns a typed record (:class:`~rnnlab.experiments.Record`:
``to_json``/``from_json``) and is seeded through :func:`rnnlab.config.seed_everything`, so a
rerun gives the same numbers.

Every module of this package declares ``__all__``: the names it offers here. This package imports
each module and re-exports its ``__all__`` (``tests/test_experiments_package.py`` checks that no
two modules export the same name), so a new experiment is one new module with an ``__all__``, and
the API page lists it.
"""
from __future__ import annotations

import importlib
import pkgutil


def _export_modules() -> list[str]:
    """Import every module of the package and bind the names of its ``__all__`` here."""
    exported: list[str] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if not hasattr(module, "__all__"):
            raise ImportError(f"{module.__name__} declares no __all__: list the names it offers "
                              "as rnnlab.experiments.<name> ([] for none)")
        for name in module.__all__:
            globals()[name] = getattr(module, name)
        exported.extend(module.__all__)
    return exported


__all__ = _export_modules()
del _export_modules
