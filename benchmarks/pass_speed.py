"""Where the step-by-step minimal GRU spends its time under TensorFlow: forward pass against
forward and backward pass, at several sequence lengths.

    python benchmarks/pass_speed.py                      # T = 512 and 2048
    python benchmarks/pass_speed.py --lengths 256 1024 4096 --parallel

Calls :func:`rnnlab.experiments.pass_seconds` (each pass inside a ``tf.function``, as in
training; the fastest of ``--repeats`` calls after one that traces), prints one line per length,
then how much each pass grows from the shortest length to the longest, and writes the figures to
``rnnlab/data/timings/pass_speed-<host>.json`` with the machine and the date. Chapter 10 reads
that file (:func:`rnnlab.experiments.pass_timings`): a timing measured while a page builds
would depend on what else the machine runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", nargs="+", type=int, default=[512, 2048])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per pass and length")
    parser.add_argument("--parallel", action="store_true",
                        help="time the layer by its parallel scan instead of step by step")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "rnnlab"
                        / "data" / "timings" / f"pass_speed-{platform.node() or 'host'}.json")
    args = parser.parse_args()

    from rnnlab.experiments import pass_seconds
    from rnnlab.experiments.machine import environment

    env = environment()
    size = {"batch": 16, "features": 16, "units": 64}      # the layer and input it times
    passes = pass_seconds(args.lengths, parallel=args.parallel, repeats=args.repeats, **size)
    print(f"{env['cpu']} ({env['cpu_count']} logical cores), {platform.node() or 'host'}; "
          f"tensorflow {env['versions'].get('tensorflow', '?')}")
    print(f"MinGRU {'by scan' if args.parallel else 'step by step'}: batch {size['batch']}, "
          f"{size['features']} features, {size['units']} units; fastest of {args.repeats} calls")
    for T, (forward, both) in passes.items():
        print(f"T = {T:5,}: forward {1e3 * forward:7.1f} ms, forward and backward "
              f"{1e3 * both:8.1f} ms")
    (short, (forward_short, both_short)), *_, (long, (forward_long, both_long)) = passes.items()
    print(f"from T = {short:,} to {long:,} ({long / short:g} times longer): forward "
          f"{forward_long / forward_short:.1f} times, forward and backward "
          f"{both_long / both_short:.1f} times")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "environment": env,
        "settings": {"parallel": args.parallel, "repeats": args.repeats, **size},
        "seconds": {str(T): list(times) for T, times in passes.items()}}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
