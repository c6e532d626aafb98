#!/usr/bin/env python3
"""Run reader notebooks as a learner on Colab does: the package installed, no repository beside it.

    python3 tools/colab_check.py _build/reader --full 03 --fast 04
    python3 tools/colab_check.py _build/reader --full 01 02 03 04 05 06 07 08 09 10

Builds rnnlab's wheel (the recorded runs travel inside it as ``rnnlab.recorded``), installs it
into a folder of its own, and executes each chosen reader notebook (``_build/reader``, made by
``course.py site``/``test``) in an empty folder of its own, with that folder on ``PYTHONPATH``:

- ``--full``: full budgets with training refused (``RNNLAB_STORE=strict``): every run must be
  served from the records inside the installed package, as on Colab;
- ``--fast``: fast budgets (small data, training allowed), as a learner who switched with
  ``rnnlab.setup(fast=True)``.

A last cell appended to each notebook checks that ``rnnlab`` and its store came from the
installed package, not from this repository. Prints each notebook's time; exits non-zero on the
first failure. Run with the course's Python (``.venv/bin/python``), which has the chapters'
dependencies (TensorFlow, Keras, NumPy, matplotlib, SciPy), as Colab has them preinstalled.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
path, site = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import rnnlab\\nfrom rnnlab.experiments.store import root\\n"
    f"assert rnnlab.__file__.startswith({site!r}), rnnlab.__file__\\n"
    f"assert str(root()).startswith({site!r}), root()\\n"
    "print('rnnlab and its recorded runs came from', root())"))
NotebookClient(nb, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
print(nb.cells[-1].outputs[0]["text"].strip())
"""
"""Executes one notebook (in its own folder) with nbclient, then the provenance check."""


def clean_source(folder: Path) -> Path:
    """What the wheel is built from, copied into ``folder/source``: pyproject.toml, README.md,
    ``rnnlab/`` and ``results/runs/`` (setuptools' ``build/`` folder in a working copy may hold
    modules deleted since, which would go into the wheel)."""
    source = folder / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "rnnlab", source / "rnnlab", ignore=skip)
    shutil.copytree(ROOT / "results" / "runs", source / "results" / "runs")
    return source


def wheel_into(folder: Path) -> Path:
    """Build rnnlab's wheel from a clean copy and install it (no dependencies) into
    ``folder/site``."""
    dist = folder / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    str(clean_source(folder)), "-w", str(dist)], check=True, cwd=folder)
    wheel = next(dist.glob("rnnlab-*.whl"))
    site = folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, cwd=folder)
    return site


def run(reader: Path, site: Path, folder: Path, fast: bool) -> float:
    """Execute ``reader`` in an empty folder under ``folder``; return its wall time."""
    mode = "fast" if fast else "full"
    work = folder / f"{reader.stem}-{mode}"
    work.mkdir()
    notebook = work / reader.name
    shutil.copyfile(reader, notebook)
    env = {key: value for key, value in os.environ.items() if not key.startswith("RNNLAB_")}
    env.update(PYTHONPATH=str(site), RNNLAB_FAST="1" if fast else "0", TF_CPP_MIN_LOG_LEVEL="2")
    if not fast:
        env["RNNLAB_STORE"] = "strict"          # training refused: every run must be served
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", EXECUTE, str(notebook), str(site)], cwd=work,
                          env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"colab_check: {reader.name} ({mode} mode) failed after {took:.0f} s:\n"
                 f"{done.stderr[-3000:]}")
    print(f"  {reader.stem:<26} {mode} mode  {took:6.1f} s   {done.stdout.strip()}", flush=True)
    return took


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="colab_check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("readers", type=Path, help="the folder of reader notebooks (_build/reader)")
    parser.add_argument("--full", nargs="*", default=[], metavar="NN",
                        help="chapters executed with full budgets, training refused")
    parser.add_argument("--fast", nargs="*", default=[], metavar="NN",
                        help="chapters executed with fast budgets")
    args = parser.parse_args(argv)
    chosen = [(number, False) for number in args.full] + [(number, True) for number in args.fast]
    if not chosen:
        parser.error("expected at least one chapter number after --full or --fast")
    readers = []
    for number, fast in chosen:
        found = sorted(args.readers.glob(f"{int(number):02d}_*.ipynb"))
        if not found:
            sys.exit(f"colab_check: no reader notebook {int(number):02d}_*.ipynb in {args.readers}; "
                     "expected the folder `python3 tools/course.py site` writes (_build/reader)")
        readers.append((found[0], fast))
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-colab-"))
    start = time.perf_counter()
    site = wheel_into(folder)
    print(f"  wheel built and installed into {site}: {time.perf_counter() - start:.1f} s", flush=True)
    total = sum(run(reader, site, folder, fast) for reader, fast in readers)
    print(f"  {len(readers)} notebook(s) in {total:.0f} s", flush=True)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
