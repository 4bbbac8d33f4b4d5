"""The IDX reader: round trips, and every kind of damage gives a DatasetError."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nntui.data.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    encode_idx,
    parse_idx,
    read_idx,
    read_idx_images,
    read_idx_labels,
    write_idx,
)
from nntui.errors import DatasetError


@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_round_trip(tmp_path: Path, name: str, dtype: str) -> None:
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    write_idx(tmp_path / name, array)
    np.testing.assert_array_equal(read_idx(tmp_path / name), array)
    assert read_idx(tmp_path / name).dtype.isnative


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "labels", array, compress=True)
    np.testing.assert_array_equal(read_idx_labels(tmp_path / "labels"), array)


def test_magic_numbers_of_images_and_labels(tmp_path: Path) -> None:
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    labels = np.arange(3, dtype=np.uint8)
    assert int.from_bytes(encode_idx(images)[:4], "big") == IMAGES_MAGIC
    assert int.from_bytes(encode_idx(labels)[:4], "big") == LABELS_MAGIC
    write_idx(tmp_path / "i.gz", images)
    write_idx(tmp_path / "l.gz", labels)
    assert read_idx_images(tmp_path / "i.gz").shape == (3, 28, 28)
    with pytest.raises(DatasetError, match=r"l\.gz: IDX magic 0x00000801, expected 0x00000803"):
        read_idx_images(tmp_path / "l.gz")
    with pytest.raises(DatasetError, match=r"i\.gz: IDX magic 0x00000803, expected 0x00000801"):
        read_idx_labels(tmp_path / "i.gz")


def test_truncated_file_names_file_and_sizes(tmp_path: Path) -> None:
    data = encode_idx(np.zeros((4, 28, 28), dtype=np.uint8))
    (tmp_path / "cut.gz").write_bytes(gzip.compress(data[:-100]))
    with pytest.raises(DatasetError, match=r"cut\.gz: truncated: shape \(4, 28, 28\) needs 3136"):
        read_idx(tmp_path / "cut.gz")


def test_truncated_header(tmp_path: Path) -> None:
    (tmp_path / "h").write_bytes(struct.pack(">HBB", 0, 8, 3) + b"\x00\x00\x00\x04")
    with pytest.raises(DatasetError, match="truncated IDX header: 3 dimensions need 16 bytes"):
        read_idx(tmp_path / "h")


def test_trailing_bytes(tmp_path: Path) -> None:
    (tmp_path / "t").write_bytes(encode_idx(np.zeros(5, dtype=np.uint8)) + b"x")
    with pytest.raises(DatasetError, match="has trailing bytes"):
        read_idx(tmp_path / "t")


def test_bad_magic(tmp_path: Path) -> None:
    (tmp_path / "m").write_bytes(b"PK\x03\x04" + bytes(20))
    with pytest.raises(DatasetError, match=r"m: bad IDX magic 0x504b0304"):
        read_idx(tmp_path / "m")


def test_wrong_image_size(tmp_path: Path) -> None:
    write_idx(tmp_path / "small.gz", np.zeros((2, 8, 8), dtype=np.uint8))
    with pytest.raises(DatasetError, match="images are 8x8, expected 28x28"):
        read_idx_images(tmp_path / "small.gz")


def test_wrong_number_of_dimensions(tmp_path: Path) -> None:
    write_idx(tmp_path / "flat.gz", np.zeros((2, 784), dtype=np.uint8))
    with pytest.raises(DatasetError, match="IDX magic 0x00000802, expected 0x00000803"):
        read_idx_images(tmp_path / "flat.gz")


def test_corrupt_gzip(tmp_path: Path) -> None:
    good = gzip.compress(encode_idx(np.arange(50, dtype=np.uint8)))
    (tmp_path / "bad.gz").write_bytes(good[:-12])
    with pytest.raises(DatasetError, match=r"bad\.gz: not a valid gzip file"):
        read_idx(tmp_path / "bad.gz")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such IDX file"):
        read_idx(tmp_path / "nope.gz")


def test_unsupported_dtype_cannot_be_written() -> None:
    with pytest.raises(DatasetError, match="Received: dtype=int64"):
        encode_idx(np.zeros(3, dtype=np.int64))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_parse_or_raise_dataset_error(data: bytes) -> None:
    """Parsed: an array of the declared shape; or a DatasetError naming the file."""
    try:
        out = parse_idx(data, "fuzz.idx")
    except DatasetError as exc:
        assert "fuzz.idx" in str(exc) and "\n" not in str(exc)
        return
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    assert isinstance(out, np.ndarray) and out.shape == dims


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=3),
    cut=st.integers(0, 200),
    flip=st.tuples(st.integers(0, 200), st.integers(0, 255)),
    compress=st.booleans(),
)
def test_damaged_files_load_or_raise_dataset_error(
    tmp_path_factory: pytest.TempPathFactory,
    shape: list[int],
    cut: int,
    flip: tuple[int, int],
    compress: bool,
) -> None:
    data = bytearray(encode_idx(np.ones(shape, dtype=np.uint8)))
    if compress:
        data = bytearray(gzip.compress(bytes(data)))
    if flip[0] < len(data):
        data[flip[0]] = flip[1]
    path = tmp_path_factory.mktemp("fuzz") / "f"
    path.write_bytes(bytes(data[: max(0, len(data) - cut)]))
    try:
        array = read_idx(path)
    except DatasetError:
        return
    assert array.ndim >= 1
