"""The training harness: train Keras models and keep what the chapters report, as typed records.

The package is split by job. ``rnnlab.experiments.training``: :func:`train` wraps
``model.fit`` and records the per-epoch history and wall time, :func:`fit_evaluate` adds early
stopping and one evaluation on the test set. ``rnnlab.experiments.adding``:
:func:`length_sweep` trains cells on the adding problem (chapters 2 and 4),
:func:`clipping_run` is chapter 2's exploding-gradient experiment (:func:`clipping_batches`
its first batches in NumPy) and :func:`marker_run` chapter
3's small LSTM. ``rnnlab.experiments.modern``: :func:`sunspot_forecasts` and
:func:`parity_sweep` (chapter 9's two tasks), :func:`scan_timings` and :func:`pass_seconds`. ``rnnlab.experiments.stats``: :func:`seed_spread` and :func:`gap_verdict`
judge results over seeds. ``rnnlab.experiments.store``: the results store every training run
is recorded in and served from (:class:`Store`); ``rnnlab.experiments.provenance``:
:func:`page_runs` says where a page's runs come from. ``rnnlab.experiments.comparison``: :func:`compare` is the MNIST
comparison of chapter 6 and of ``python -m rnnlab compare``. ``rnnlab.experiments.scratch``:
:func:`scratch_vs_keras` trains a small network with a NumPy loop written out and with Keras,
:func:`char_scratch_vs_keras` a character model. ``rnnlab.experiments.language``: chapter 7's
:func:`language_run` (character language models) and :func:`seq2seq_run` (an encoder–decoder
that adds). ``rnnlab.experiments.attention``: chapter 8's :func:`reversal_run` and
:func:`attention_sweep` (encoder–decoders with and without attention reversing digit strings).

Every experiment returns a typed record (:class:`~rnnlab.experiments.Record`:
``to_json``/``from_json``) and is seeded through :func:`rnnlab.config.seed_everything`, so a
rerun gives the same numbers.
"""
from __future__ import annotations

from rnnlab.experiments.adding import (ADDING_TOLERANCE, AddingRun, ClippingBatches,
                                       ClippingRun, MarkerRun, adding_accuracy, adding_model,
                                       clipping_batches, clipping_run, length_sweep, marker_run)
from rnnlab.experiments.attention import (ReversalRun, attention_sweep, reversal_model,
                                          reversal_run)
from rnnlab.experiments.comparison import (ARTICLE_CELLS, ARTICLE_VALIDATION, MNIST_TEST,
                                           MNIST_TRAIN, OPTIMIZERS, ORDERS, PROTOCOLS,
                                           CellSummary, CompareConfig, CompareRun, Comparison,
                                           NormCheck, SUMMARY_COLUMNS, batch_norm_check, compare, matmul_gflops,
                                           mean_curves, mnist_model, mnist_splits, summarize,
                                           summary_rows, write_results)
from rnnlab.experiments.language import (LanguageRun, Seq2SeqRun, greedy_decode,
                                         language_run, mean_by_length, seq2seq_run,
                                         untrained_language_model)
from rnnlab.experiments.modern import (ForecastRun, ParityRun, parity_model, parity_sweep,
                                       pass_seconds, scan_timings, sunspot_forecasts)
from rnnlab.experiments.records import Record
from rnnlab.experiments.scratch import (CharScratchRun, ScratchRun, char_numpy_epoch,
                                       char_scratch_vs_keras, momentum_step, numpy_epoch,
                                       scratch_vs_keras)
from rnnlab.experiments.provenance import PageRuns, page_runs
from rnnlab.experiments.recipe import PROTOCOL
from rnnlab.experiments.store import Store
from rnnlab.experiments.stats import (MIN_SEEDS_FOR_VERDICT, GapReport, PairedDifference,
                                      SeedTestInterval, Spread, compare_spreads, gap_verdict,
                                      paired_difference, ranking, seed_and_test_interval,
                                      seed_spread, t_interval)
from rnnlab.experiments.tuning import (TUNING_GRID, Setting, Tuning, cheaper_per_epoch, epoch_seconds,
                                       epoch_timings,
                                       matched_units,
                                       model_params, tune, tuned_runs)
from rnnlab.experiments.training import FitRecord, TrainRecord, fit_evaluate, gradient_norm, train

__all__ = [
    "ADDING_TOLERANCE", "ARTICLE_CELLS", "ARTICLE_VALIDATION", "AddingRun", "CellSummary",
    "ClippingRun", "ClippingBatches", "clipping_batches", "CompareConfig", "CompareRun", "Comparison", "FitRecord", "GapReport",
    "MIN_SEEDS_FOR_VERDICT", "compare_spreads", "ranking",
    "MNIST_TEST", "MNIST_TRAIN", "MarkerRun", "OPTIMIZERS", "ORDERS", "PROTOCOLS", "Record",
    "SUMMARY_COLUMNS", "ScratchRun", "Spread", "TrainRecord", "momentum_step", "numpy_epoch",
    "scratch_vs_keras", "summary_rows", "adding_accuracy", "adding_model", "clipping_run", "compare",
    "fit_evaluate", "gap_verdict", "length_sweep", "marker_run", "matmul_gflops",
    "mean_curves", "mnist_model", "mnist_splits", "seed_spread", "summarize", "train",
    "write_results", "PROTOCOL", "Store", "PageRuns", "page_runs", "gradient_norm", "ParityRun",
    "parity_model", "parity_sweep", "pass_seconds", "scan_timings", "ForecastRun",
    "sunspot_forecasts",
    "NormCheck", "batch_norm_check", "PairedDifference", "paired_difference", "t_interval",
    "LanguageRun", "Seq2SeqRun", "greedy_decode", "language_run", "mean_by_length", "seq2seq_run",
    "untrained_language_model", "CharScratchRun", "char_numpy_epoch", "char_scratch_vs_keras",
    "ReversalRun", "attention_sweep", "reversal_model", "reversal_run",
    "SeedTestInterval", "seed_and_test_interval", "epoch_timings",
    "TUNING_GRID", "Setting", "Tuning", "epoch_seconds", "cheaper_per_epoch", "matched_units", "model_params", "tune", "tuned_runs",
]
