"""MNIST / Fashion-MNIST: checksums, the cache, downloads (faked) and the real files."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from nntui.data import download, load_dataset
from nntui.data.download import RemoteFile, cache_dir, fetch
from nntui.data.idx import encode_idx
from nntui.data.mnist import CHECKSUMS, FILE_NAMES
from nntui.errors import DatasetError


def _no_network(*args: object, **kwargs: object) -> object:
    raise urllib.error.URLError("network is unreachable")


class _Response(io.BytesIO):
    def __enter__(self) -> _Response:
        return self


def _fake_server(files: dict[str, bytes], calls: list[str]) -> object:
    def urlopen(url: str, timeout: float) -> _Response:
        calls.append(url)
        name = url.rsplit("/", 1)[-1]
        if url.startswith("https://down.example/") or name not in files:
            raise urllib.error.URLError("connection refused")
        return _Response(files[name])

    return urlopen


def test_cache_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NNTUI_DATA_DIR", str(tmp_path / "own"))
    assert cache_dir() == tmp_path / "own"
    monkeypatch.delenv("NNTUI_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "nntui"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "nntui"


def test_download_falls_back_to_second_mirror(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    payload = b"hello idx"
    remote = RemoteFile(
        "f.bin",
        hashlib.sha256(payload).hexdigest(),
        ("https://down.example/", "https://up.example/"),
    )
    calls: list[str] = []
    monkeypatch.setattr(urllib.request, "urlopen", _fake_server({"f.bin": payload}, calls))
    path = fetch(remote, tmp_path / "cache")
    assert path.read_bytes() == payload
    assert calls == ["https://down.example/f.bin", "https://up.example/f.bin"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.bin"]  # no temp files left
    fetch(remote, tmp_path / "cache")  # present now: verified, not downloaded again
    assert len(calls) == 2


def test_download_with_wrong_checksum_is_not_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    remote = RemoteFile("f.bin", "0" * 64, ("https://up.example/",))
    monkeypatch.setattr(urllib.request, "urlopen", _fake_server({"f.bin": b"tampered"}, []))
    with pytest.raises(DatasetError, match="SHA-256 mismatch: expected 0000.*, got "):
        fetch(remote, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_no_network_says_how_to_download_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist")
    message = str(info.value)
    assert "could not download train-images-idx3-ubyte.gz" in message
    assert "network is unreachable" in message
    assert "download it by hand from https://" in message and "--data-dir" in message
    assert str(cache_dir() / "mnist") in message


def test_checksum_mismatch_in_data_dir_names_file(tmp_path: Path) -> None:
    for part in ("test_images", "test_labels"):
        (tmp_path / FILE_NAMES[part]).write_bytes(b"not the real file")
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist", data_dir=str(tmp_path), source="test")
    message = str(info.value)
    assert "t10k-" in message and "SHA-256 mismatch" in message
    assert f"expected {CHECKSUMS['mnist']['test_images']}" in message or (
        f"expected {CHECKSUMS['mnist']['test_labels']}" in message
    )


def test_missing_files_in_data_dir(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="missing t10k-images-idx3-ubyte.gz, t10k-labels"):
        load_dataset("fashion_mnist", data_dir=str(tmp_path), source="test")


def test_full_load_from_a_fake_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    files = {
        "train_images": encode_idx(rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)),
        "train_labels": encode_idx((np.arange(30) % 10).astype(np.uint8)),
        "test_images": encode_idx(np.full((10, 28, 28), 255, dtype=np.uint8)),
        "test_labels": encode_idx(np.arange(10, dtype=np.uint8)),
    }
    sums = {}
    for part, data in files.items():
        blob = gzip.compress(data, mtime=0)
        (tmp_path / FILE_NAMES[part]).write_bytes(blob)
        sums[part] = hashlib.sha256(blob).hexdigest()
    monkeypatch.setitem(CHECKSUMS, "mnist", sums)
    ds = load_dataset("mnist", data_dir=str(tmp_path), n_samples=20, seed=1)
    assert ds.meta["source"] == "full"
    assert ds.x_train.shape == (20, 28, 28, 1) and ds.x_test.shape == (10, 28, 28, 1)
    assert ds.x_test.dtype == np.float32 and float(ds.x_test.max()) == 1.0
    np.testing.assert_array_equal(ds.y_test, np.arange(10))


def test_mismatched_pair_lengths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blobs = {
        "test_images": gzip.compress(encode_idx(np.zeros((5, 28, 28), np.uint8))),
        "test_labels": gzip.compress(encode_idx(np.zeros(4, np.uint8))),
    }
    for part, blob in blobs.items():
        (tmp_path / FILE_NAMES[part]).write_bytes(blob)
    sums = {p: hashlib.sha256(b).hexdigest() for p, b in blobs.items()}
    monkeypatch.setitem(CHECKSUMS, "mnist", {**CHECKSUMS["mnist"], **sums})
    with pytest.raises(DatasetError, match="holds 5 images but .* holds 4 labels"):
        load_dataset("mnist", data_dir=str(tmp_path), source="test")


def test_real_mnist_test_set(shared_datasets: Path) -> None:
    ds = load_dataset("mnist", data_dir=str(shared_datasets), source="test", seed=0)
    assert ds.meta["source"] == "test"
    assert ds.x_train.shape == (8000, 28, 28, 1) and ds.x_test.shape == (2000, 28, 28, 1)
    labels = np.concatenate([ds.y_train, ds.y_test])
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    pixels = np.concatenate([ds.x_train, ds.x_test])
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert abs(float(pixels.mean()) * 255 - 33.791) < 1e-3


def test_real_mnist_checksums_and_first_labels(shared_datasets: Path) -> None:
    from nntui.data.idx import read_idx_images, read_idx_labels

    folder = shared_datasets / "mnist"
    for part in ("test_images", "test_labels", "train_labels"):
        download.verify(folder / FILE_NAMES[part], CHECKSUMS["mnist"][part])
    assert read_idx_images(folder / FILE_NAMES["test_images"]).shape == (10000, 28, 28)
    labels = read_idx_labels(folder / FILE_NAMES["test_labels"])
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_real_mnist_auto_source_without_train_images(shared_datasets: Path) -> None:
    ds = load_dataset("mnist", data_dir=str(shared_datasets / "mnist"), n_samples=100)
    assert ds.meta["source"] == "test" and ds.n_train == 100
    with pytest.raises(DatasetError, match='missing train-images-idx3-ubyte.gz.*source="test"'):
        load_dataset("mnist", data_dir=str(shared_datasets), source="full")


def test_real_fashion_mnist_checksums(shared_datasets: Path) -> None:
    import hashlib

    folder = shared_datasets / "fashion-mnist"
    for part, name in FILE_NAMES.items():
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest == CHECKSUMS["fashion_mnist"][part], name


def test_real_fashion_mnist_via_cache(
    shared_datasets: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files already in the cache are used without any network access."""
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    target = isolated_cache / "fashion-mnist"
    target.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(shared_datasets / "fashion-mnist" / name, target / name)
    ds = load_dataset("fashion_mnist", source="test", test_fraction=0.5)
    assert ds.n_train == 5000 and ds.n_test == 5000
    assert ds.class_names is not None and ds.class_names[9] == "Ankle boot"
