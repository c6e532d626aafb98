#!/usr/bin/env python3
"""Set up, build and test the rnnlab course with one command each.

    python3 tools/course.py site     # set up if needed, build the site (full budgets)
    python3 tools/course.py test     # set up if needed, run every test (fast mode), including
                                     # the browser test of the built site (needs Debian's chromium)
    python3 tools/course.py setup    # only create/refresh .venv and fetch the data

Needs nothing but Python 3.10-3.12 and network access to PyPI the first time. Everything is
installed into ``.venv/`` next to this repository (override with RNNLAB_VENV). Each stage
prints its wall time, so the CI log shows where the time goes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("RNNLAB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
BUILD = ROOT / "_build"
SETUP_INPUTS = ["requirements.txt", "pyproject.toml"]
SITE_BUILD = [
    str(BIN / "jupyter-book"), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going", "--all",
]
TIMES: list[tuple[str, float]] = []


def stage(name: str, *cmd: str, env: dict[str, str] | None = None) -> None:
    """Run one stage, print its wall time, stop everything with its exit code if it fails."""
    print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    quiet_tf = {"TF_CPP_MIN_LOG_LEVEL": "2"}  # TensorFlow's C++ start-up logging, not results
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **quiet_tf, **(env or {})})
    took = time.perf_counter() - start
    TIMES.append((name, took))
    print(f"=== {name}: {took:.1f} s (exit {result.returncode})", flush=True)
    if result.returncode != 0:
        report()
        sys.exit(result.returncode)


def report() -> None:
    print("\nStage times:")
    for name, took in TIMES:
        print(f"  {name:<28} {took:7.1f} s")
    print(f"  {'total':<28} {sum(t for _, t in TIMES):7.1f} s", flush=True)


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def setup() -> None:
    """Create .venv, install the pinned requirements and rnnlab, fetch MNIST; skip what is done."""
    if sys.version_info < (3, 10):
        sys.exit(f"rnnlab needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    stamp = VENV / ".rnnlab-setup"
    wanted = digest([ROOT / p for p in SETUP_INPUTS])
    if not PY.exists():
        print(f"=== creating virtual environment {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    if not stamp.exists() or stamp.read_text() != wanted:
        stage("install requirements", str(PY), "-m", "pip", "install", "-q", "-r", "requirements.txt")
        stage("install rnnlab", str(PY), "-m", "pip", "install", "-q", "--no-deps", "-e", ".")
        stage("pip check", str(PY), "-m", "pip", "check")
        stamp.write_text(wanted)
    else:
        print(f"=== {VENV} is up to date with {', '.join(SETUP_INPUTS)}", flush=True)
    stage("fetch data", str(PY), "-m", "rnnlab", "data")


def site_build(mode: str) -> Path:
    """Build the site in ``_build/<mode>`` with its own execution cache.

    jupyter-cache re-runs a notebook only when its code cells change, so the cache is keyed here
    on a hash of ``rnnlab/`` too: when the package changes, the cache is dropped. Fast and full
    builds keep separate caches, or fast-mode outputs would be served as the full course.
    """
    out = BUILD / mode
    key = digest([p for p in (ROOT / "rnnlab").rglob("*.py")])
    stamp = out / ".rnnlab-hash"
    if out.exists() and (not stamp.exists() or stamp.read_text() != key):
        print(f"=== rnnlab/ changed since the last {mode} build: dropping {out}", flush=True)
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    env = {"RNNLAB_FAST": "1" if mode == "fast" else "0"}
    stage(f"build site ({mode} mode)", *SITE_BUILD, "--path-output", str(out), env=env)
    stamp.write_text(key)
    return out / "_build" / "html" / "index.html"


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "setup":
        setup()
    elif command == "site":
        setup()
        index = site_build("full")
        report()
        print(f"\nThe site is built: open {index}")
    elif command == "test":
        setup()
        fast = {"RNNLAB_FAST": "1"}
        stage("unit tests", str(PY), "-m", "pytest", "tests", "--ignore=tests/browser", env=fast)
        stage("nbval (every notebook)", str(PY), "-m", "pytest", "--nbval-lax",
              "--nbval-current-env", "--nbval-cell-timeout=300", "book", env=fast)
        index = site_build("fast")
        shots = BUILD / "browser"
        stage("browser test (Chromium)", str(PY), "-m", "pytest", "tests/browser",
              env={"RNNLAB_SITE": str(index.parent), "RNNLAB_SCREENSHOTS": str(shots)})
        print(f"screenshots of every page: {shots}")
        report()
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main(sys.argv)
