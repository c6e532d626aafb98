import random

import numpy as np
import pytest

import rnnlab
from rnnlab import config


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("ON", True),
                                           ("0", False), ("", False), ("no", False)])
def test_fast_mode_reads_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("RNNLAB_FAST", raw)
    assert config.fast_mode() is expected
    assert config.budget(full=100, fast=3) == (3 if expected else 100)


def test_fast_mode_defaults_to_the_full_course(monkeypatch):
    monkeypatch.delenv("RNNLAB_FAST", raising=False)
    assert config.fast_mode() is False
    assert rnnlab.budget(full=10, fast=1) == 10


def test_a_typo_in_the_switch_is_an_error(monkeypatch):
    monkeypatch.setenv("RNNLAB_FAST", "fsat")
    with pytest.raises(ValueError, match="RNNLAB_FAST must be one of"):
        config.fast_mode()


def draws():
    import keras

    return (random.random(), np.random.rand(3).tolist(),
            np.asarray(keras.random.uniform((3,))).tolist())


def test_seeding_makes_python_numpy_and_keras_repeat():
    config.seed_everything(7)
    first = draws()
    config.seed_everything(7)
    assert draws() == first
    config.seed_everything(8)
    assert draws() != first


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError),
                                         ("0", TypeError), (True, TypeError)])
def test_bad_seeds_are_rejected(seed, error):
    with pytest.raises(error, match="seed must"):
        config.seed_everything(seed)


def test_setup_reports_mode_and_versions(monkeypatch, capsys):
    monkeypatch.setenv("RNNLAB_FAST", "1")
    assert rnnlab.setup(seed=3) is None  # nothing to clutter a notebook's first cell
    out = capsys.readouterr().out
    assert out.startswith("rnnlab ready: seed 3, mode fast,") and f"numpy {np.__version__}" in out
    first = np.random.rand()
    rnnlab.setup(seed=3, quiet=True)
    assert np.random.rand() == first and capsys.readouterr().out == ""


def test_setup_keeps_tensorflow_retracing_warnings_off_the_page():
    import logging

    rnnlab.setup(quiet=True)
    rnnlab.setup(quiet=True)                      # twice: one filter, not two
    logger = logging.getLogger("tensorflow")
    assert sum(type(f).__name__ == "_NoRetracingWarning" for f in logger.filters) == 1

    def record(message):
        return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)

    assert not logger.filter(record("5 out of the last 24 calls to <function f> triggered "
                                    "tf.function retracing. Tracing is expensive"))
    assert logger.filter(record("another warning"))


@pytest.mark.parametrize("raw, expected", [("1", True), ("0", False), ("off", False)])
def test_determinism_follows_its_switch(monkeypatch, raw, expected):
    import keras

    if keras.backend.backend() == "jax":
        pytest.skip("on JAX, XLA_FLAGS decides")
    monkeypatch.setenv("RNNLAB_DETERMINISTIC", raw)
    assert config.deterministic() is expected


@pytest.mark.parametrize("gpu", [True, False])
def test_determinism_defaults_to_whether_a_gpu_is_visible(monkeypatch, gpu):
    import keras

    monkeypatch.delenv("RNNLAB_DETERMINISTIC", raising=False)
    monkeypatch.setattr(config, "_gpu_visible", lambda: gpu)
    expected = gpu if keras.backend.backend() != "jax" else False  # JAX: only XLA_FLAGS decides
    assert config.deterministic() is expected
    monkeypatch.setenv("RNNLAB_DETERMINISTIC", "maybe")
    with pytest.raises(ValueError, match="RNNLAB_DETERMINISTIC must be one of"):
        config.deterministic()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["jax", "torch", "tensorflow"])
def test_the_backend_is_the_one_keras_uses(name):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from rnnlab import config; print(config.backend())"],
                          capture_output=True, text=True, env={**__import__("os").environ,
                                                               "KERAS_BACKEND": name})
    if done.returncode != 0 and "No module named" in done.stderr:
        pytest.skip(f"{name} is not installed")
    assert done.stdout.strip().splitlines()[-1] == name


def test_setup_can_switch_to_the_small_budgets_in_one_line(monkeypatch):
    import rnnlab

    monkeypatch.setenv("RNNLAB_FAST", "0")
    rnnlab.setup(quiet=True, fast=True)
    assert rnnlab.fast_mode() and rnnlab.budget(full=10, fast=1) == 1
    rnnlab.setup(quiet=True, fast=False)
    assert not rnnlab.fast_mode()
