"""Seconds per epoch of chapter 6's models, per cell and per Keras backend, on this machine.

    python benchmarks/epoch_times.py                          # every installed backend, 55,000 images
    python benchmarks/epoch_times.py --samples 11000          # a fifth: quicker (the course's file)
    python benchmarks/epoch_times.py --backends jax --deterministic 0
    python benchmarks/epoch_times.py --model batchnorm        # the optional section's model

Each (backend, determinism) pair runs in its own process (``KERAS_BACKEND`` and
``RNNLAB_DETERMINISTIC`` are read once, when Keras is imported). In each, one of chapter 6's
models is trained on random data of MNIST's shape, batch 64: with ``--model tuned`` (the
default) the models the chapter tunes and trains (the recurrent layer with 64 units, then
Dense(10) logits, with each cell's chosen optimizer, ``TUNED``); with ``--model batchnorm`` the
optional section's and the article's (64 units, BatchNormalization, Dense(10), SGD at 0.01).
Each gets one warm-up epoch (tracing, compilation), then ``--epochs`` passes over the
``--samples`` images, each timed alone and scaled to seconds per ``--per`` images (55,000: one
epoch of the course's training set). This repeats in ``--repeats`` fresh processes: the file
keeps every timed pass, their median, and each process's median (``seconds_per_process``), so
the noise between passes and between processes can be read off. Op determinism applies to
TensorFlow and PyTorch only (JAX on a CPU is deterministic as it is). On a machine with a GPU
the backends place the model there.

The table is printed and written to ``rnnlab/data/timings/epoch_times-<host>.json`` (with
``--model batchnorm``: ``epoch_times_batchnorm-<host>.json``; inside the package: chapter 6
reads it wherever ``rnnlab`` is installed) with the machine, versions and settings, and the
GFLOP/s of one large 2048 x 2048 float32 matrix product measured in the same process
(``matmul_gflops``: the machine's practical ceiling, for comparison); the course quotes these
figures only from such a file.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

from backends import installed, run_worker, write_results

CELLS = ("simple_rnn", "lstm", "gru")
# The settings chapter 6's tuning chose on validation data (optimizer, learning rate, momentum);
# chapter 6 checks them against its own choice.
TUNED = {"simple_rnn": ("adam", 0.001, 0.0), "lstm": ("sgd", 0.05, 0.9), "gru": ("sgd", 0.05, 0.9)}
HERE = Path(__file__).resolve().parent

WORKER = """
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import rnnlab
from rnnlab.experiments import matmul_gflops, mnist_model
from rnnlab.experiments.machine import environment
samples, epochs, per, which = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tuned = json.loads(sys.argv[5])
rng = np.random.default_rng(0)
x = rng.uniform(0, 1, size=(samples, 28, 28)).astype(np.float32)
y = rng.integers(0, 10, size=samples)
out = {"environment": environment(), "seconds_per_epoch": {}, "seconds_each_epoch": {},
       "matmul_gflops": matmul_gflops(),      # the machine's ceiling, in the same process
       "optimizers": {}}
for cell in sys.argv[6:]:
    rnnlab.seed_everything(0)
    if which == "tuned":
        optimizer, rate, momentum = tuned[cell]
        model = mnist_model(cell, 64, optimizer, batch_norm=False, learning_rate=rate, momentum=momentum)
    else:                                     # the article's model and optimizer
        optimizer, rate, momentum = "sgd", 0.01, 0.0
        model = mnist_model(cell, 64, "sgd", learning_rate=rate)
    out["optimizers"][cell] = [optimizer, rate, momentum]
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)          # warm-up: tracing, compiling
    each = []
    for _ in range(epochs):                   # each timed epoch on its own: their spread is the noise
        start = time.perf_counter()
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
        each.append((time.perf_counter() - start) * per / samples)
    out["seconds_each_epoch"][cell] = each
    out["seconds_per_epoch"][cell] = float(np.median(each))
print("RESULT " + json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--deterministic", nargs="+", default=["1", "0"],
                        help="op determinism settings to time (TensorFlow, PyTorch)")
    parser.add_argument("--samples", type=int, default=55_000, help="images per timed epoch")
    parser.add_argument("--epochs", type=int, default=5,
                        help="timed epochs after the warm-up (each timed alone; the median is reported)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="fresh processes per backend and determinism setting; their epochs are pooled")
    parser.add_argument("--per", type=int, default=55_000, help="report seconds per this many images")
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--model", choices=["tuned", "batchnorm"], default="tuned",
                        help="chapter 6's tuned models, or the optional section's (BatchNormalization)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default: rnnlab/data/timings/epoch_times[_batchnorm]-<host>.json")
    args = parser.parse_args()
    if args.out is None:
        stem = "epoch_times" + ("" if args.model == "tuned" else "_batchnorm")
        args.out = HERE.parent / "rnnlab" / "data" / "timings" / f"{stem}-{platform.node() or 'host'}.json"

    rows = []
    for backend in args.backends:
        if not installed(backend):
            print(f"{backend}: not installed, skipped")
            continue
        settings = args.deterministic if backend in ("tensorflow", "torch") else ["0"]
        for determinism in settings:
            runs = []
            for _ in range(args.repeats):             # fresh processes: the noise between them too
                result = run_worker(WORKER, [str(args.samples), str(args.epochs), str(args.per),
                                             args.model, json.dumps(TUNED), *args.cells],
                                    {"KERAS_BACKEND": backend, "RNNLAB_DETERMINISTIC": determinism,
                                     "RNNLAB_STORE": "off"}, f"{backend} (determinism {determinism})")
                if result is not None:
                    runs.append(result)
            if runs:
                each = {c: [s for r in runs for s in r["seconds_each_epoch"][c]] for c in args.cells}
                rows.append({"backend": backend, "deterministic": determinism == "1", **runs[0],
                             "seconds_each_epoch": each,
                             "seconds_per_epoch": {c: float(np.median(v)) for c, v in each.items()},
                             "seconds_per_process": {c: [r["seconds_per_epoch"][c] for r in runs]
                                                     for c in args.cells},
                             "matmul_gflops": float(np.median([r["matmul_gflops"] for r in runs])),
                             "wall_seconds": sum(r["wall_seconds"] for r in runs)})

    if not rows:
        sys.exit("no backend could be timed")
    env = rows[0]["environment"]
    gpus = ", ".join(env["gpus"]) or "no GPU"
    print(f"\n{env['cpu']} ({env['cpu_count']} logical cores, {gpus}); Keras {env['versions']['keras']}")
    print(f"median seconds per {args.per:,}-image epoch of the {args.model} model (timed on "
          f"{args.samples:,} images, batch 64, 64 units, after a warm-up epoch)\n")
    print(f"{'backend':<24}" + "".join(f"{c:>12}" for c in args.cells) + f"{'matmul GFLOP/s':>16}")
    for row in rows:
        version = row["environment"]["versions"].get(row["backend"], "")
        name = f"{row['backend']} {version}" + (", determ." if row["deterministic"] else "")
        print(f"{name:<24}" + "".join(f"{row['seconds_per_epoch'][c]:12.2f}" for c in args.cells)
              + f"{row['matmul_gflops']:16.0f}")
        print(f"{'  (fastest, slowest)':<24}" + "".join(
            f"{min(row['seconds_each_epoch'][c]):6.1f},{max(row['seconds_each_epoch'][c]):5.1f}"
            for c in args.cells))
    write_results(args, rows)


if __name__ == "__main__":
    main()
