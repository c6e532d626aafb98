"""Seconds per epoch and achieved GFLOP/s of the chapter-6 models, on random data of MNIST's shape.

    python benchmarks/mnist_cells.py                 # 60,000 sequences of 28 x 28, batch 64
    python benchmarks/mnist_cells.py --samples 6400  # a shorter measurement

For each cell, the article's model (the recurrent layer with 64 units, BatchNormalization,
Dense(10) logits, SGD) is trained for one warm-up epoch and then timed over ``--epochs`` epochs.
The FLOP count is that of the recurrent layer's matrix products (``rnnlab.cells.step_flops``),
times 3 for forward plus backward, times 28 steps and the number of sequences; the dense head,
batch normalisation and element-wise gate work are left out, so the GFLOP/s figure is a slight
underestimate of the work done. It shows how far the step-by-step recurrence is from the
machine's matrix-multiply peak: small (64 x 256) products per step cannot keep many cores busy.

On a machine with a GPU, TensorFlow places the layers there; Keras then runs the LSTM and GRU as
fused cuDNN kernels (the article's settings meet every cuDNN condition), while SimpleRNN has no
fused kernel on any backend and still runs step by step. The script prints which device ran and
which layers have a fused kernel in the installed Keras (``rnnlab.models.fused_kernels``).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import rnnlab  # noqa: E402
from rnnlab.cells import step_flops  # noqa: E402
from rnnlab.experiments import matmul_gflops, mnist_model  # noqa: E402
from rnnlab.experiments.machine import flat as environment  # noqa: E402
from rnnlab.models import fused_kernels  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after the warm-up")
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--cells", nargs="+", default=["simple_rnn", "lstm", "gru"])
    args = parser.parse_args()

    env = environment()
    device = ", ".join(env["gpus"]) or f"CPU: {env['cpu']} ({env['cpu_count']} logical cores)"
    print(f"Keras {env['keras']} on {env['backend']} {env.get(env['backend'], '')}; device {device}")
    print(f"{args.samples:,} random sequences of 28 x 28, batch {args.batch_size}, "
          f"{args.units} units, {args.epochs} timed epoch(s) after one warm-up epoch\n")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(args.samples, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, size=args.samples)
    if env["gpus"] and env["backend"] == "tensorflow":
        print(f"fused cuDNN kernels (TensorFlow backend): {', '.join(fused_kernels()['tensorflow'])}\n")
    peak = matmul_gflops()
    print(f"ceiling: a 2048 x 2048 float32 matmul runs at {peak:.1f} GFLOP/s here\n")
    print(f"{'cell':>10} {'s/epoch':>9} {'GFLOP/epoch':>12} {'GFLOP/s':>8} {'of ceiling':>11}")
    for cell in args.cells:
        rnnlab.seed_everything(0)
        model = mnist_model(cell, args.units, "sgd")
        model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)  # warm-up: tracing
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
        seconds = (time.perf_counter() - start) / args.epochs
        flops = 3 * step_flops(cell, 28, args.units) * 28 * args.samples
        rate = flops / 1e9 / seconds
        print(f"{cell:>10} {seconds:9.2f} {flops / 1e9:12.1f} {rate:8.2f} {rate / peak:10.1%}")


if __name__ == "__main__":
    main()
