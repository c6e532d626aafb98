"""The package as pip installs it: every subpackage listed, the recorded runs inside it."""
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from colab_check import clean_source  # noqa: E402  (the wheel built from a clean copy, as CI's Colab check does)


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rnnlab").rglob("__init__.py")
               if "__pycache__" not in p.parts}
    assert listed == on_disk | {"rnnlab.recorded"}


@pytest.mark.slow
def test_an_installed_package_serves_the_recorded_runs_without_the_repository(tmp_path):
    """What Colab gets from `pip install git+...`: a wheel that carries results/runs as
    rnnlab/recorded/runs, which the store finds when no clone is beside the package."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    str(clean_source(tmp_path)), "-w", str(tmp_path / "dist")], check=True,
                   capture_output=True)
    wheel = next((tmp_path / "dist").glob("rnnlab-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    records = sorted(p.name for p in (ROOT / "results" / "runs").iterdir())
    assert {f"rnnlab/recorded/runs/{name}" for name in records} <= names
    assert any(n.startswith("rnnlab/data/timings/") for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    probe = ("from rnnlab.experiments.store import Store, root; import sys; "
             "box = Store(); assert root() == box.folder; "
             f"assert str(root()).startswith({str(site)!r}), root(); "
             f"assert len(box.keys()) == {len(records) // 2}; assert box.check() == []; print('ok')")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
