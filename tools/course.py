#!/usr/bin/env python3
"""Set up, build and test the rnnlab course with one command each.

    python3 tools/course.py site     # set up if needed, build the site (full budgets) and the
                                     # published tree: the site's HTML folder with the reader
                                     # and learner notebooks in notebooks/ (what deploy.yml ships)
    python3 tools/course.py test     # set up if needed, run every test (fast mode), including
                                     # the browser test of the built site (needs Debian's chromium)
                                     # and reader notebooks run from the installed wheel as on
                                     # Colab (tools/colab_check.py)
    python3 tools/course.py unit     # set up if needed, run the unit tests alone (fast mode, no
                                     # notebook executed, no browser): the contributor's loop
    python3 tools/course.py setup    # only create/refresh .venv and fetch the data
    python3 tools/course.py lab [JUPYTER-OPTIONS]
                                     # set up, install JupyterLab (requirements-lab.txt) and open
                                     # it on the reader notebooks (book/ before `site` built
                                     # them), with the course's .venv as kernel
    python3 tools/course.py grade [CHAPTER]
                                     # nbgrader: generate the assignment of a chapter (default
                                     # 01) and autograde a stub and a solved submission
    python3 tools/course.py otter [CHAPTER]
                                     # otter-grader (Colab, Gradescope): otter assign a chapter
                                     # (default 01), otter run a stub and a solved submission
    python3 tools/course.py results [--jobs N] [--missing] [CHAPTER ...]
                                     # train every recorded run again (full budgets) and rewrite
                                     # the results store; --missing: only what the store lacks
    python3 tools/course.py verify [CHAPTER ...]
                                     # retrain the recorded runs of chapters (default: 03) and
                                     # check they reproduce their records

Needs nothing but Python 3.10-3.12 and network access to PyPI the first time. Everything is
installed into ``.venv/`` next to this repository (override with RNNLAB_VENV). Each stage
prints its wall time, so the CI log shows where the time goes.

The site shows full-budget training runs served from the results store (``results/``, see
``rnnlab/experiments/store.py``): ``site`` trains only what the store lacks, ``results`` is the
one command that trains everything, and ``test`` builds the published site in strict mode (a
missing record fails the build, a record no chapter asked for fails the test).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("RNNLAB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
BUILD = ROOT / "_build"
HARNESS_TESTS = ["tests/test_store.py", "tests/test_config.py",
                 "tests/test_adding.py::test_clipping_keeps_a_run_finite_that_diverges_without_it",
                 "tests/test_main.py::test_cli_serves_recorded_runs_and_trains_only_what_is_missing"]
"""The tests of the training harness that CI runs a second time on the JAX backend."""
SETUP_INPUTS = ["requirements.txt", "pyproject.toml"]
SITE_BUILD = [
    str(BIN / "jupyter-book"), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going", "--all",
]
TIMES: list[tuple[str, float]] = []
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
"""One thread per process for NumPy's BLAS, TensorFlow and JAX (the test command runs two
groups of stages side by side on two cores)."""
STORE = ROOT / "results"
EXPECTED_SECONDS = {"06": 4800, "07": 3600, "05": 930, "09": 494, "08": 320, "02": 260, "04": 225}
"""Full-budget training time of the chapters on 2 cores (measured), to start the longest first."""
EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=None, kernel_name="python3",
               resources={"metadata": {"path": "book"}}).execute()
"""


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


def together(*groups: Callable[[], None]) -> None:
    """Run groups of stages side by side (each group's stages in order, in its own thread), so
    that two cores both work; stop everything with the first failure's exit code."""
    import threading

    failures: list[int] = []

    def run(group: Callable[[], None]) -> None:
        try:
            group()
        except SystemExit as stop:  # stage() exits on failure: keep the code, end the group
            failures.append(stop.code if isinstance(stop.code, int) else 1)
            if not isinstance(stop.code, int) and stop.code:
                print(stop.code, file=sys.stderr, flush=True)

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(group,)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    TIMES.append((f"  (side by side: {len(groups)} groups)", -(time.perf_counter() - start)))
    if failures:
        report()
        sys.exit(failures[0] or 1)


TIMINGS = ROOT / "benchmarks" / "timings.md"
"""Where every command writes its stage times (one section per command), so the README and
CONTRIBUTING quote no duration that could go stale."""


def report() -> None:
    print("\nStage times (stages run side by side overlap; their group's wall time is shown):")
    lines = [f"  {name:<28} {abs(took):7.1f} s" for name, took in TIMES]
    print("\n".join(lines))
    if TIMES:
        record_times(" ".join(sys.argv[1:2]) or "help", lines)


def record_times(command: str, lines: list[str]) -> None:
    """Rewrite ``command``'s section of :data:`TIMINGS` with this run's stage times."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    heading = f"## course.py {command}"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (f"{heading}\n\n{when}, {cpu}, {os.cpu_count()} cores"
               f"{', CI' if os.environ.get('CI') else ''}:\n\n```\n" + "\n".join(lines) + "\n```\n")
    text = TIMINGS.read_text(encoding="utf-8") if TIMINGS.exists() else (
        "# Stage times of tools/course.py\n\nWritten by the commands themselves after each run "
        "(the last run of each command). Stages run side by side overlap; their group's wall "
        "time is shown.\n")
    sections = re.split(r"(?m)^(?=## course\.py )", text)
    kept = [part for part in sections if not part.startswith(heading + "\n")]
    TIMINGS.write_text("\n".join(part.rstrip("\n") + "\n" for part in kept + [section]),
                       encoding="utf-8")


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


UV = "uv==0.13.9"
"""The installer of the requirements: uv installs the same pinned wheels as pip from the same
registry, in 14 s instead of pip's 61 s here, bytecode compiled (``pip check`` verifies the
result)."""
UV_PIP = (str(PY), "-m", "uv", "pip")
UV_INTO = ("--python", str(PY), "--compile-bytecode")
"""Into the course's Python, compiled to bytecode as pip does: uv leaves that out by default, and
then every process that first imports TensorFlow compiles it again (CI's unit tests took 208 s
instead of 149 s)."""


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
        stage("install uv (pip)", str(PY), "-m", "pip", "install", "-q", UV)
        stage("install requirements (uv)", *UV_PIP, "install", *UV_INTO, "-q", "-r", "requirements.txt")
        stage("install rnnlab", *UV_PIP, "install", *UV_INTO, "-q", "--no-deps", "-e", ".")
        stage("pip check", str(PY), "-m", "pip", "check")
        stamp.write_text(wanted)
    else:
        print(f"=== {VENV} is up to date with {', '.join(SETUP_INPUTS)}", flush=True)
    stage("fetch data", str(PY), "-m", "rnnlab", "data")


def install_extra(what: str, requirements: str) -> None:
    """Install an optional requirements file into .venv once (again when the file changes)."""
    stamp = VENV / f".rnnlab-{Path(requirements).stem}"
    wanted = digest([ROOT / requirements])
    if not stamp.exists() or stamp.read_text() != wanted:
        stage(f"install {what}", *UV_PIP, "install", *UV_INTO, "-q", "-r", requirements)
        stamp.write_text(wanted)


def lab_folder() -> Path:
    """What ``lab`` opens: the reader notebooks (``_build/reader``, numbers in the text, figures
    shown) once ``site`` has built them, else the source notebooks of ``book/``."""
    reader = BUILD / "reader"
    return reader if any(reader.glob("[0-9][0-9]_*.ipynb")) else ROOT / "book"


def lab(argv: list[str]) -> None:
    """``lab``: JupyterLab from .venv, opened on the reader notebooks (or book/), so the kernel
    is the course's Python."""
    install_extra("JupyterLab", "requirements-lab.txt")
    report()
    folder = lab_folder()
    what = ("the reader notebooks (numbers in the text; the sources, with MyST roles and every "
            "solution, are in book/)" if folder != ROOT / "book" else
            "the source notebooks in book/ (MyST roles shown as text; `python3 tools/course.py "
            "site` builds the reader notebooks, which `lab` then opens)")
    print(f"\nOpening JupyterLab on {folder.relative_to(ROOT)}/: {what}. The kernel 'Python 3' "
          "is .venv's; stop it with Ctrl-C. Chapters run with the full budgets and recorded "
          "runs; `RNNLAB_FAST=1` before the command gives the fast ones.", flush=True)
    os.chdir(ROOT)
    url = f"/lab/tree/{folder.relative_to(ROOT).as_posix()}"
    os.execv(str(BIN / "jupyter"), [str(BIN / "jupyter"), "lab", "--notebook-dir", str(ROOT),
                                     f"--ServerApp.default_url={url}", *argv])


GRADE = """
import json, sys
from pathlib import Path
from rnnlab.exercises.student import nbgrader_metadata
source, target = Path(sys.argv[1]), Path(sys.argv[2])
nb = nbgrader_metadata(json.loads(source.read_text(encoding="utf-8")))
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\\n", encoding="utf-8")
print(sum(1 for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")))
"""


def grade(argv: list[str]) -> None:
    """``grade``: nbgrader's instructor workflow on one chapter, checked end to end.

    The chapter (with nbgrader metadata from its markers) is the assignment's source;
    ``generate_assignment`` makes the release (solutions stubbed); ``autograde`` grades two
    submissions in fast mode: the release as handed out (must score 0) and the source (must
    score every point).
    """
    install_extra("nbgrader", "requirements-grade.txt")
    chapter = pick(argv or ["01"])[0]
    course = Path(tempfile.mkdtemp(prefix="rnnlab-grade-"))
    name = f"ch{chapter.stem[:2]}"
    source = course / "source" / name / chapter.name
    made = subprocess.run([str(PY), "-c", GRADE, str(chapter), str(source)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    points = int(made.stdout.split()[-1])
    nbgrader = [str(BIN / "nbgrader")]
    root = [f"--CourseDirectory.root={course}", "--ExecutePreprocessor.timeout=120"]
    env = {"RNNLAB_FAST": "1", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic
    stage(f"nbgrader generate_assignment {name}", *nbgrader, "generate_assignment", name,
          "--force", *root, env=env)
    for student, notebook in (("stub", course / "release" / name / chapter.name),
                              ("solved", source)):
        target = course / "submitted" / student / name / chapter.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
    stage(f"nbgrader autograde {name}", *nbgrader, "autograde", name, "--force", *root, env=env)
    stage("nbgrader export", *nbgrader, "export", *root[:1],
          f"--CsvExportPlugin.to={course / 'grades.csv'}", env=env)
    import csv

    with open(course / "grades.csv", encoding="utf-8") as table:
        scores = {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                  for row in csv.DictReader(table)}
    print(f"nbgrader scores for {chapter.stem}: {scores}")
    expected = {"stub": (0.0, float(points)), "solved": (float(points), float(points))}
    if scores != expected:
        report()
        sys.exit(f"course.py grade: expected {expected}, nbgrader gave {scores} ({course})")
    shutil.rmtree(course)


OTTER = """
import json, sys
from pathlib import Path
from rnnlab.exercises.otter import otter_notebook
source, target, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
nb = otter_notebook(json.loads(source.read_text(encoding="utf-8")), name, str(source))
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\\n", encoding="utf-8")
print(" ".join(c["source"].split("name: ")[1].split()[0] for c in nb["cells"]
               if c["cell_type"] == "raw" and c["source"].startswith("# BEGIN QUESTION")))
"""


def otter_grade(argv: list[str]) -> None:
    """``otter``: otter-grader's instructor workflow on one chapter, checked end to end.

    The chapter becomes an otter-assign source notebook (``rnnlab.exercises.otter``: one
    question per exercise, its test the chapter's check); ``otter assign`` writes the student
    notebook and the autograder zip (what Gradescope takes); ``otter run`` (no Docker) grades two
    submissions in fast mode: the student notebook as handed out (must score 0) and the solution
    notebook (must score every point, question by question).
    """
    install_extra("otter-grader", "requirements-otter.txt")
    chapter = pick(argv or ["01"])[0]
    work = Path(tempfile.mkdtemp(prefix="rnnlab-otter-"))
    name = f"ch{chapter.stem[:2]}"
    source = work / "source" / chapter.name
    made = subprocess.run([str(PY), "-c", OTTER, str(chapter), str(source), name], cwd=ROOT,
                          capture_output=True, text=True)
    if made.returncode != 0:  # the chapter's markers do not make an assignment: say why
        shutil.rmtree(work)
        sys.exit(f"course.py otter: {(made.stderr.strip().splitlines() or ['failed'])[-1]}")
    questions = made.stdout.split()
    otter = str(BIN / "otter")
    env = {"RNNLAB_FAST": "1", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    dist = work / "dist"
    stage(f"otter assign {name}", otter, "assign", "--no-run-tests", "--no-pdfs", str(source),
          str(dist), env=env)
    autograder = next((dist / "autograder").glob("*-autograder_*.zip"))
    scores = {}
    for student, notebook in (("stub", dist / "student" / chapter.name),
                              ("solved", dist / "autograder" / chapter.name)):
        out = work / "results" / student
        out.mkdir(parents=True)
        stage(f"otter run {name} ({student})", otter, "run", "--no-logo", "-a", str(autograder),
              "-o", str(out), str(notebook), env=env)
        tests = json.loads((out / "results.json").read_text(encoding="utf-8"))["tests"]
        scores[student] = {t["name"]: float(t["score"]) for t in tests if "max_score" in t}
    print(f"otter scores for {chapter.stem}: "
          + ", ".join(f"{s} {sum(q.values()):g}/{len(q)}" for s, q in scores.items()))
    expected = {"stub": dict.fromkeys(questions, 0.0), "solved": dict.fromkeys(questions, 1.0)}
    wrong = [f"{student} {question}: {scores[student].get(question)} (expected {points})"
             for student, wanted in expected.items()
             for question, points in {**dict.fromkeys(scores[student]), **wanted}.items()
             if scores[student].get(question) != points]
    if wrong or not questions:
        report()
        sys.exit(f"course.py otter: {'; '.join(wrong) or 'no exercise in ' + chapter.name} "
                 f"(results in {work / 'results'})")
    shutil.rmtree(work)


def chapters() -> list[Path]:
    """The chapter notebooks listed in ``_toc.yml``, in order."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return [ROOT / f"{name}.ipynb" for name in re.findall(r"file:\s*(book/\d\d_\w+)", toc)]


def pick(names: list[str]) -> list[Path]:
    """Chapters by number (``03``, ``3``) or file name; all of them when ``names`` is empty."""
    every = chapters()
    if not names:
        return every
    chosen = []
    for name in names:
        match = [p for p in every if p.stem.startswith(f"{int(name):02d}_")] if name.isdigit() \
            else [p for p in every if p.stem == Path(name).stem]
        if not match:
            sys.exit(f"course.py: no chapter {name!r}; the chapters are "
                     + ", ".join(p.stem for p in every))
        chosen += match
    return chosen


def execute(notebooks: list[Path], env: dict[str, str], jobs: int = 1) -> list[tuple[Path, float, int]]:
    """Execute notebooks (``jobs`` at a time, longest first), each in its own kernel; return
    (notebook, seconds, exit code) for each."""
    quiet_tf = {"TF_CPP_MIN_LOG_LEVEL": "2"}

    def one(path: Path) -> tuple[Path, float, int]:
        start = time.perf_counter()
        print(f"--- {path.stem}: started", flush=True)
        result = subprocess.run([str(PY), "-c", EXECUTE, str(path)], cwd=ROOT,
                                env={**os.environ, **quiet_tf, **env})
        took = time.perf_counter() - start
        print(f"--- {path.stem}: {took:.0f} s (exit {result.returncode})", flush=True)
        return path, took, result.returncode

    order = sorted(notebooks, key=lambda p: -EXPECTED_SECONDS.get(p.stem[:2], 0))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(one, order))
    return sorted(done, key=lambda item: notebooks.index(item[0]))


def store_keys() -> set[str]:
    runs = STORE / "runs"
    return {p.stem for p in runs.glob("*.json")} if runs.exists() else set()


def requested(log: Path) -> set[str]:
    return {line.split("\t", 1)[0] for line in log.read_text(encoding="utf-8").splitlines()
            if line} if log.exists() else set()


def results(argv: list[str]) -> None:
    """``results``: train every recorded run again and rewrite the store (see the module doc)."""
    parser = argparse.ArgumentParser(prog="course.py results")
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: every chapter)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="chapters executed at once (each in its own process)")
    parser.add_argument("--missing", action="store_true",
                        help="train only the runs the store lacks, keep the others")
    args = parser.parse_args(argv)
    notebooks = pick(args.chapters)
    log = Path(tempfile.mkdtemp()) / "requests.tsv"
    store_mode = "fill" if args.missing else "refresh"
    env = {"RNNLAB_FAST": "0", "RNNLAB_STORE": store_mode, "RNNLAB_STORE_LOG": str(log)}
    start = time.perf_counter()
    done = execute(notebooks, env, args.jobs)
    took = time.perf_counter() - start
    TIMES.append((f"results ({len(notebooks)} chapters, {args.jobs} job(s))", took))
    failed = [p.stem for p, _, code in done if code != 0]
    for path, seconds, code in done:
        print(f"  {path.stem:<28} {seconds:7.0f} s{'' if code == 0 else f'  (exit {code})'}")
    if failed:
        sys.exit(f"course.py results: {', '.join(failed)} failed; "
                 "the store keeps what was written")
    asked = requested(log)
    print(f"{len(asked)} recorded runs requested, {len(store_keys() & asked)} in the store")
    if not args.chapters:
        stale = sorted(store_keys() - asked)
        for key in stale:
            for suffix in (".json", ".npz"):
                (STORE / "runs" / f"{key}{suffix}").unlink(missing_ok=True)
        print(f"removed {len(stale)} record(s) no chapter asked for")


def verify(argv: list[str]) -> None:
    """``verify``: retrain the recorded runs of some chapters and compare with their records."""
    names = argv or ["03"]
    for path, seconds, code in execute(pick(names), {"RNNLAB_FAST": "0", "RNNLAB_STORE": "verify"}):
        TIMES.append((f"verify {path.stem}", seconds))
        if code != 0:
            report()
            sys.exit(f"course.py verify: {path.stem} failed: a RecordMismatch above means a "
                     "run did not reproduce its record, any other error that it could not run")
        print(f"{path.stem}: every training run reproduced its record", flush=True)


def site_build(mode: str, strict: bool = False) -> Path:
    """Build the site in ``_build/<mode>`` with its own execution cache.

    jupyter-cache re-runs a notebook only when its code cells change, so the cache is keyed here
    on a hash of ``rnnlab/`` and of the results store too: when either changes, the cache is
    dropped. Fast and full builds keep separate caches, or fast-mode outputs would be served as
    the full course. ``strict`` (the test command): every training run must come from the store,
    and every record in the store must have been asked for by a chapter.
    """
    out = BUILD / mode
    key = digest([p for p in (ROOT / "rnnlab").rglob("*.py")] + sorted((STORE / "runs").glob("*.json")))
    stamp = out / ".rnnlab-hash"
    if out.exists() and (not stamp.exists() or stamp.read_text() != key):
        print(f"=== rnnlab/ or results/ changed since the last {mode} build: dropping {out}", flush=True)
        shutil.rmtree(out)
    if strict and out.exists():
        # strict mode checks what the chapters ask for: every notebook must execute, none may
        # come from jupyter-cache (whose outputs may have been made in another mode)
        print(f"=== strict build: dropping {out} so that every chapter executes", flush=True)
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    env = {"RNNLAB_FAST": "1" if mode == "fast" else "0"}
    log = out / "store-requests.tsv"
    if strict:
        env.update(RNNLAB_STORE="strict", RNNLAB_STORE_LOG=str(log),
                   RNNLAB_CLAIMS_LOG=str(out / "claims.tsv"))
    stage(f"build site ({mode} mode{', strictly from the results store' if strict else ''})",
          *SITE_BUILD, "--path-output", str(out), env=env)
    if strict:
        stale = sorted(store_keys() - requested(log))
        if stale:
            report()
            sys.exit(f"course.py: the results store holds {len(stale)} record(s) no chapter asked "
                     f"for (stale: their key no longer matches any run): {', '.join(stale)}. "
                     "Run `python3 tools/course.py results` to rewrite the store.")
        print(f"=== results store: {len(requested(log))} runs asked for, all served; no stale "
              f"record among {len(store_keys())}", flush=True)
    stamp.write_text(key)
    return out / "_build" / "html" / "index.html"


def readers(index: Path) -> None:
    """Reader and learner notebooks from a built site (``_build/reader``, ``_build/learner``);
    the site's download button then gives the reader version of each chapter."""
    build = index.parent.parent  # <out>/_build
    reader_dir, learner_dir = BUILD / "reader", BUILD / "learner"
    for folder in (reader_dir, learner_dir):
        shutil.rmtree(folder, ignore_errors=True)
    stage("reader notebooks", str(PY), "-m", "rnnlab", "reader",
          str(build / "jupyter_execute" / "book"), "book", str(reader_dir))
    stage("learner notebooks", str(PY), "-m", "rnnlab", "student", str(reader_dir), str(learner_dir))
    sources = index.parent / "_sources" / "book"
    for notebook in reader_dir.glob("*.ipynb"):
        if (sources / notebook.name).exists():
            shutil.copyfile(notebook, sources / notebook.name)
    print(f"reader notebooks: {reader_dir}; learner notebooks: {learner_dir}", flush=True)
    publish(index)


PUBLISHED = "notebooks"
"""The folder of the published site that holds ``reader/`` and ``learner/``: the Colab links of
every chapter point there (``rnnlab_notebooks_folder`` in ``_config.yml``, tools/colab_links.py)."""


def publish(index: Path) -> Path:
    """Make the site's HTML folder the published tree: the pages, ``notebooks/reader`` and
    ``notebooks/learner`` (and ``.nojekyll``, so that GitHub Pages serves ``_static``). The deploy
    workflow publishes exactly this folder; the published-site tests and the browser test read
    it."""
    site = index.parent
    target = site / PUBLISHED
    shutil.rmtree(target, ignore_errors=True)
    for kind in ("reader", "learner"):
        shutil.copytree(BUILD / kind, target / kind)
    (site / ".nojekyll").write_text("")
    count = len(list(target.glob("*/*.ipynb")))
    print(f"published tree: {site} (pages, {count} notebooks in {PUBLISHED}/)", flush=True)
    return site


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "setup":
        setup()
    elif command == "site":
        setup()
        index = site_build("full")
        readers(index)
        report()
        print(f"\nThe site is built: open {index}")
    elif command == "unit":
        setup()
        stage("unit tests (not slow)", str(PY), "-m", "pytest", "-q", "-m", "not slow", "tests",
              "--ignore=tests/browser", *argv[2:], env={"RNNLAB_FAST": "1"})
        report()
    elif command == "lab":
        setup()
        lab(argv[2:])
    elif command == "grade":
        setup()
        grade(argv[2:])
        report()
    elif command == "otter":
        setup()
        otter_grade(argv[2:])
        report()
    elif command == "results":
        setup()
        results(argv[2:])
        report()
    elif command == "verify":
        setup()
        verify(argv[2:])
        report()
    elif command == "test":
        setup()
        # Two groups of stages share the two cores side by side: one thread each for the
        # numerical libraries, or their spinning threads fight (chapter 7's full execution took
        # 98 s beside a fast chapter with the default threads, 54 s with one each)
        os.environ.update(ONE_THREAD)
        fast = {"RNNLAB_FAST": "1"}

        # the command line's, the learner copy's and the minimal layers' tests (about 75 s) run
        # in the other group, after the JAX tests and grading, so that the two groups take about
        # as long (measured on CI: 228 s and 125 s with the first two moved, before the third)
        later = ["tests/test_main.py", "tests/test_student.py", "tests/test_minimal.py"]

        def unit_tests() -> None:
            stage("unit tests", str(PY), "-m", "pytest", "-q", "tests", "--ignore=tests/browser",
                  *(f"--ignore={path}" for path in later), env=fast)

        def other_backend_and_grading() -> None:
            stage("unit tests of the training harness on JAX", str(PY), "-m", "pytest", "-q",
                  *HARNESS_TESTS, env={**fast, "KERAS_BACKEND": "jax"})
            grade(["01"])
            stage("results store: every record sound", str(PY), "-m", "rnnlab", "store", "check")
            verify([])
            stage("unit tests of the command line, the learner copy and the minimal layers",
                  str(PY), "-m", "pytest", "-q", *later, env=fast)

        # the graders' extras before anything runs: otter-grader pins wrapt below 2, which
        # TensorFlow imports, so nothing may be importing it while the package is replaced
        install_extra("nbgrader", "requirements-grade.txt")
        install_extra("otter-grader", "requirements-otter.txt")
        together(unit_tests, other_backend_and_grading)

        built: list[Path] = []
        readers_made = threading.Event()

        def nbval() -> None:
            stage("nbval (every notebook)", str(PY), "-m", "pytest", "--nbval-lax",
                  "--nbval-current-env", "--nbval-cell-timeout=300", "--durations=10", "book",
                  env=fast)
            # as on Colab: the wheel installed in a folder of its own, reader notebooks run in
            # empty folders, one in full mode with training refused, one in fast mode
            # otter-grader's path (the nbgrader path runs with the unit tests): while the site
            # is still building, so that this group and the site's take about as long
            otter_grade(["01"])
            readers_made.wait()
            if built:
                stage("Colab-like: installed wheel, reader notebooks from empty folders", str(PY),
                      "tools/colab_check.py", str(BUILD / "reader"), "--full", "03", "--fast", "01")

        def published_site() -> None:
            try:
                built.append(site_build("full", strict=True))
                readers(built[0])
            finally:
                readers_made.set()
            stage("published site: claims, glue, sentences, Colab links; readers: no MyST",
                  str(PY), "-m", "pytest", "-q", "tests/test_published.py", "tests/test_reader.py",
                  "tests/test_links.py",
                  env={"RNNLAB_BUILD": str(BUILD / "full"), "RNNLAB_READERS": str(BUILD / "reader")})
            # the browser opens the built pages while nbval is still executing the notebooks
            stage("browser test (Chromium)", str(PY), "-m", "pytest", "tests/browser",
                  env={"RNNLAB_SITE": str(built[0].parent), "RNNLAB_SCREENSHOTS": str(shots)})

        # side by side: no chapter compares a live timing with a recorded one any more (chapter
        # 6 reads its epochs and its matrix-product ceiling from one benchmark file)
        shots = BUILD / "browser"
        together(nbval, published_site)
        print(f"screenshots of every page: {shots}")
        report()
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main(sys.argv)
