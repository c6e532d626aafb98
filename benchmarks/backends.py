"""What the per-backend benchmarks share: which Keras backends are installed, and running one
worker script in a fresh process per backend (``KERAS_BACKEND`` is read once, at import)."""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from typing import Any

MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def installed(backend: str) -> bool:
    """Whether the package behind a Keras backend can be imported here."""
    return importlib.util.find_spec(MODULES[backend]) is not None


def run_worker(worker: str, args: list[str], env: dict[str, str], label: str) -> dict[str, Any] | None:
    """Run ``python -c worker args…`` with ``env`` added to this environment, and return the JSON
    it printed on a line starting ``RESULT `` plus ``wall_seconds``; None (with the error
    printed) when it failed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", worker, *args], capture_output=True, text=True,
                          env={**os.environ, **env})
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(f"{label}: failed\n{done.stderr[-2000:]}")
        return None
    return {**json.loads(lines[-1][len("RESULT "):]), "wall_seconds": time.perf_counter() - started}


def write_results(args: argparse.Namespace, rows: list[dict[str, Any]]) -> None:
    """Write the settings, the date and the rows to ``args.out`` as JSON, and say where."""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"settings": vars(args) | {"out": str(args.out)},
                                    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    "rows": rows}, indent=1, default=str) + "\n")
    print(f"\nwrote {args.out}")
