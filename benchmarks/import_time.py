"""Print how long `import rnnlab` takes in a fresh interpreter (target: under 0.5 s).

    python benchmarks/import_time.py [repeats]

Each repeat starts a new Python process, so nothing is cached in memory; the figure is the
median of the import alone (measured inside the child), plus whether TensorFlow got imported.
"""
from __future__ import annotations

import statistics
import subprocess
import sys

CHILD = ("import time, sys; t = time.perf_counter(); import rnnlab; "
         "print(time.perf_counter() - t, 'tensorflow' in sys.modules)")


def main(repeats: int = 7) -> None:
    times, tf_loaded = [], set()
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                             check=True).stdout.split()
        times.append(float(out[0]))
        tf_loaded.add(out[1])
    print(f"import rnnlab: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {repeats} runs; "
          f"TensorFlow imported: {', '.join(sorted(tf_loaded))}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
