"""tools/course.py: the chapter list it executes for `results` and `verify`, and its choices."""
import importlib.util
from pathlib import Path

import pytest

from toc import ROOT, chapters

spec = importlib.util.spec_from_file_location("course", ROOT / "tools" / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


def test_results_executes_exactly_the_chapters_of_the_toc():
    assert [p.relative_to(ROOT).with_suffix("").as_posix() for p in course.chapters()] == chapters()
    assert all(p.exists() for p in course.chapters())


def test_chapters_are_picked_by_number_or_name():
    assert [p.stem for p in course.pick(["3", "06"])] == ["03_lstm", "06_mnist_comparison"]
    assert [p.stem for p in course.pick(["book/04_gru.ipynb"])] == ["04_gru"]
    assert course.pick([]) == course.chapters()
    with pytest.raises(SystemExit, match="no chapter '42'"):
        course.pick(["42"])


def test_the_request_log_and_the_store_are_read_as_key_sets(tmp_path, monkeypatch):
    log = tmp_path / "requests.tsv"
    log.write_text("abc\tmodel a\nabc\tmodel a\ndef\tmodel b\n")
    assert course.requested(log) == {"abc", "def"}
    assert course.requested(tmp_path / "absent") == set()
    monkeypatch.setattr(course, "STORE", tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "abc.json").write_text("{}")
    (tmp_path / "runs" / "abc.npz").write_bytes(b"")
    assert course.store_keys() == {"abc"}


def test_the_longest_chapters_start_first(monkeypatch):
    started = []
    monkeypatch.setattr(course.subprocess, "run",
                        lambda cmd, **kw: started.append(Path(cmd[-1]).stem) or
                        type("Done", (), {"returncode": 0})())
    done = course.execute(course.pick(["2", "5", "6"]), {}, jobs=1)
    assert started == ["06_mnist_comparison", "05_keras_examples", "02_gradients"]
    assert [p.stem for p, _, _ in done] == ["02_gradients", "05_keras_examples", "06_mnist_comparison"]


def test_groups_run_side_by_side_and_the_first_failure_stops_everything(capsys, monkeypatch,
                                                                       tmp_path):
    import sys

    # a failure prints and records the stage times: keep them out of benchmarks/timings.md
    monkeypatch.setattr(course, "TIMINGS", tmp_path / "timings.md")
    monkeypatch.setattr(course, "TIMES", [])
    import threading

    seen = []
    barrier = threading.Barrier(2, timeout=5)   # both groups must be running at once

    def one():
        barrier.wait()
        seen.append("one")

    def two():
        barrier.wait()
        sys.exit(3)

    with pytest.raises(SystemExit) as stop:
        course.together(one, two)
    assert stop.value.code == 3 and seen == ["one"]
    course.together(lambda: None, lambda: None)          # no failure: returns
    with pytest.raises(SystemExit) as stop:
        course.together(lambda: sys.exit("verify failed"))
    assert stop.value.code == 1 and "verify failed" in capsys.readouterr().err
    assert "## course.py" in (tmp_path / "timings.md").read_text()
