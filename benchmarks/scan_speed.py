"""Seconds per training step against sequence length: minGRU by scan, minGRU step by step, GRU.

    python benchmarks/scan_speed.py                           # every installed backend
    python benchmarks/scan_speed.py --backends jax --lengths 64 256 1024 4096

For each Keras backend (one process each: ``KERAS_BACKEND`` is read when Keras is imported) and
each length T, three one-layer models read a (batch, T, features) input and return every state
h_1 … h_T, with a mean-squared loss on all of them, so the backward pass runs through every step:

* ``min_gru_scan``: :class:`rnnlab.cells.minimal_layers.MinGRU` with ``parallel=True`` (``keras.ops.associative_scan``);
* ``min_gru_loop``: the same layer with ``parallel=False`` (``keras.ops.scan``, one step at a time);
* ``gru``: ``keras.layers.GRU``, the classic cell, whose gates read h_{t-1}.

One step of training is timed (forward, backward, an SGD update: ``train_on_batch``), after two
warm-up steps that trace and compile; the figure is the median of ``--repeats``. The table is
printed and written to ``rnnlab/data/timings/scan_speed-<host>.json`` with the machine (CPU,
cores, GPUs), the versions and the settings: inside the package, unlike the other benchmarks'
``benchmarks/results/``, because chapter 10 reads these files and must run where only the package
is installed (Colab). The chapter quotes these figures only from such files, one per machine;
on a machine with a GPU the backends place the models there.
"""
from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from backends import installed, run_worker, write_results

HERE = Path(__file__).resolve().parent
MODELS = ("min_gru_scan", "min_gru_loop", "gru")

WORKER = """
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
import rnnlab
from rnnlab.experiments.machine import environment
from rnnlab.cells.minimal_layers import MinGRU
batch, features, units, repeats = (int(a) for a in sys.argv[1:5])
lengths = [int(a) for a in sys.argv[5:]]
LAYERS = {"min_gru_scan": lambda: MinGRU(units, return_sequences=True, parallel=True),
          "min_gru_loop": lambda: MinGRU(units, return_sequences=True, parallel=False),
          "gru": lambda: keras.layers.GRU(units, return_sequences=True)}
out = {"environment": environment(), "seconds_per_step": {name: {} for name in LAYERS}}
rng = np.random.default_rng(0)
for T in lengths:
    x = rng.normal(size=(batch, T, features)).astype("float32")
    y = np.zeros((batch, T, units), "float32")
    for name, make in LAYERS.items():
        rnnlab.seed_everything(0)
        inputs = keras.Input((T, features))
        model = keras.Model(inputs, make()(inputs))
        model.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
        for _ in range(2):                      # warm-up: tracing, compiling
            model.train_on_batch(x, y)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.train_on_batch(x, y)
            times.append(time.perf_counter() - start)
        out["seconds_per_step"][name][str(T)] = float(np.median(times))
        print(name, T, out["seconds_per_step"][name][str(T)], file=sys.stderr, flush=True)
print("RESULT " + json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--lengths", nargs="+", type=int, default=[64, 256, 1024, 4096])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per model and length")
    parser.add_argument("--out", type=Path, default=HERE.parent / "rnnlab" / "data" / "timings"
                        / f"scan_speed-{platform.node() or 'host'}.json")
    args = parser.parse_args()

    rows = []
    for backend in args.backends:
        if not installed(backend):
            print(f"{backend}: not installed, skipped")
            continue
        result = run_worker(WORKER, [str(args.batch), str(args.features), str(args.units),
                                     str(args.repeats), *map(str, args.lengths)],
                            {"KERAS_BACKEND": backend, "RNNLAB_STORE": "off"}, backend)
        if result is not None:
            rows.append({"backend": backend, **result})

    if not rows:
        sys.exit("no backend could be timed")
    env = rows[0]["environment"]
    print(f"\n{env['cpu']} ({env['cpu_count']} logical cores, {', '.join(env['gpus']) or 'no GPU'})")
    print(f"milliseconds per training step, batch {args.batch}, {args.features} features, "
          f"{args.units} units\n")
    for row in rows:
        print(f"{row['backend']} {row['environment']['versions'].get(row['backend'], '')}")
        print(f"{'T':>8}" + "".join(f"{name:>14}" for name in MODELS))
        for T in args.lengths:
            print(f"{T:>8}" + "".join(f"{1e3 * row['seconds_per_step'][name][str(T)]:14.1f}"
                                      for name in MODELS))
    write_results(args, rows)


if __name__ == "__main__":
    main()
