"""The command line (rnnlab/__main__.py): errors are one line and exit with status 2."""
import subprocess
import sys


def test_compare_without_keras_is_one_line_saying_what_to_install(tmp_path):
    fake = tmp_path / "keras"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'keras'\", name='keras')\n")
    done = subprocess.run([sys.executable, "-m", "rnnlab", "compare", "--epochs", "1"],
                          capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin",
                               "KERAS_BACKEND": "tensorflow"})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "keras is not installed" in lines[0] and "rnnlab[keras]" in lines[0]
