"""Seconds per epoch of chapter 6's models, per cell and per Keras backend, on this machine.

    python benchmarks/epoch_times.py                          # every installed backend, 55,000 images
    python benchmarks/epoch_times.py --samples 5500           # a tenth: quicker, same ranking
    python benchmarks/epoch_times.py --backends jax --deterministic 0

Each (backend, determinism) pair runs in its own process (``KERAS_BACKEND`` and
``RNNLAB_DETERMINISTIC`` are read once, when Keras is imported). In each, the article's model
(the recurrent layer with 64 units, BatchNormalization, Dense(10) logits, SGD, batch 64) is
trained on random data of MNIST's shape: one warm-up epoch (tracing, compilation), then
``--epochs`` timed epochs, scaled to seconds per ``--per`` images (55,000: one epoch of the
course's training set). Op determinism applies to TensorFlow and PyTorch only (JAX on a CPU is
deterministic as it is). On a machine with a GPU the backends place the model there.

The table is printed and written to ``rnnlab/data/timings/epoch_times-<host>.json`` (inside
the package: chapter 6 reads it wherever ``rnnlab`` is installed) with the
machine, versions and settings, and the GFLOP/s of one large 2048 x 2048 float32 matrix product
measured in the same process (``matmul_gflops``: the ceiling chapter 6 compares the recurrences
with); the course quotes these figures only from such a file.
"""
from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from backends import installed, run_worker, write_results

CELLS = ("simple_rnn", "lstm", "gru")
HERE = Path(__file__).resolve().parent

WORKER = """
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import rnnlab
from rnnlab.experiments import matmul_gflops, mnist_model
from rnnlab.experiments.machine import environment
samples, epochs, per = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
x = rng.uniform(0, 1, size=(samples, 28, 28)).astype(np.float32)
y = rng.integers(0, 10, size=samples)
out = {"environment": environment(), "seconds_per_epoch": {},
       "matmul_gflops": matmul_gflops()}      # the machine's ceiling, in the same process
for cell in sys.argv[4:]:
    rnnlab.seed_everything(0)
    model = mnist_model(cell, 64, "sgd")
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)          # warm-up: tracing, compiling
    start = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    out["seconds_per_epoch"][cell] = (time.perf_counter() - start) / epochs * per / samples
print("RESULT " + json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--deterministic", nargs="+", default=["1", "0"],
                        help="op determinism settings to time (TensorFlow, PyTorch)")
    parser.add_argument("--samples", type=int, default=55_000, help="images per timed epoch")
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs after the warm-up")
    parser.add_argument("--per", type=int, default=55_000, help="report seconds per this many images")
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--out", type=Path, default=HERE.parent / "rnnlab" / "data" / "timings"
                        / f"epoch_times-{platform.node() or 'host'}.json")
    args = parser.parse_args()

    rows = []
    for backend in args.backends:
        if not installed(backend):
            print(f"{backend}: not installed, skipped")
            continue
        settings = args.deterministic if backend in ("tensorflow", "torch") else ["0"]
        for determinism in settings:
            result = run_worker(WORKER, [str(args.samples), str(args.epochs), str(args.per),
                                         *args.cells],
                                {"KERAS_BACKEND": backend, "RNNLAB_DETERMINISTIC": determinism,
                                 "RNNLAB_STORE": "off"}, f"{backend} (determinism {determinism})")
            if result is not None:
                rows.append({"backend": backend, "deterministic": determinism == "1", **result})

    if not rows:
        sys.exit("no backend could be timed")
    env = rows[0]["environment"]
    gpus = ", ".join(env["gpus"]) or "no GPU"
    print(f"\n{env['cpu']} ({env['cpu_count']} logical cores, {gpus}); Keras {env['versions']['keras']}")
    print(f"seconds per {args.per:,}-image epoch (timed on {args.samples:,} images, batch 64, "
          f"64 units, after a warm-up epoch)\n")
    print(f"{'backend':<24}" + "".join(f"{c:>12}" for c in args.cells) + f"{'matmul GFLOP/s':>16}")
    for row in rows:
        version = row["environment"]["versions"].get(row["backend"], "")
        name = f"{row['backend']} {version}" + (", determ." if row["deterministic"] else "")
        print(f"{name:<24}" + "".join(f"{row['seconds_per_epoch'][c]:12.2f}" for c in args.cells)
              + f"{row['matmul_gflops']:16.0f}")
    write_results(args, rows)


if __name__ == "__main__":
    main()
