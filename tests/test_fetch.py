"""Files from PyPI packages and the cache (rnnlab/data/fetch.py): a valid cache is used offline, a
corrupted one refused, a fetched file kept; where the cache lives and how files are written."""
import pytest

from rnnlab import data


def test_a_valid_cache_is_used_without_any_network(monkeypatch, tmp_path):
    real = data.package_file("sunspots.txt.gz")
    monkeypatch.setenv("RNNLAB_DATA_DIR", str(tmp_path))
    (tmp_path / "sunspots.txt.gz").write_bytes(real)

    def offline(spec):
        raise ConnectionError("no network in this test")

    monkeypatch.setattr(data.fetch, "_read_installed", offline)
    monkeypatch.setattr(data.fetch, "_read_wheel", offline)
    assert data.package_file("sunspots.txt.gz") == real


def test_a_corrupted_cache_is_refused_and_every_attempt_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_DATA_DIR", str(tmp_path))
    (tmp_path / "GunPoint_TRAIN.ts").write_bytes(b"not the file")

    def offline(spec):
        raise ConnectionError("no network in this test")

    monkeypatch.setattr(data.fetch, "_read_installed", offline)
    monkeypatch.setattr(data.fetch, "_read_wheel", offline)
    with pytest.raises(data.DataUnavailable) as error:
        data.package_file("GunPoint_TRAIN.ts")
    message = str(error.value)
    assert "is not the recorded" in message and message.count("no network in this test") == 2
    assert "aeon==1.6.0" in message


def test_a_fetched_file_is_cached_for_the_next_call(monkeypatch, tmp_path):
    real = data.package_file("sunspots.txt.gz")
    monkeypatch.setenv("RNNLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(data.fetch, "_read_installed", lambda spec: (_ for _ in ()).throw(FileNotFoundError()))
    monkeypatch.setattr(data.fetch, "_read_wheel", lambda spec: real)
    data.package_file("sunspots.txt.gz")
    assert (tmp_path / "sunspots.txt.gz").read_bytes() == real


def test_unknown_file_names_are_listed():
    with pytest.raises(KeyError, match="sunspots.txt.gz"):
        data.package_file("airline.csv")


def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    monkeypatch.delenv("RNNLAB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.data_dir() == tmp_path / "xdg" / "rnnlab"


def test_atomic_write_gives_files_the_umask_mode_not_private(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        data.atomic_write(tmp_path / "f.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "f.json").stat().st_mode & 0o777 == 0o644
