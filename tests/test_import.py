import subprocess
import sys


def test_import_rnnlab_does_not_import_tensorflow():
    code = "import sys, rnnlab; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
