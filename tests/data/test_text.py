"""Character-level datasets: addition, any text file, Tiny Shakespeare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.data.text import decode, encode
from nntui.errors import DatasetError


def test_addition_strings_are_correct_sums() -> None:
    ds = load_dataset("addition", n_samples=300, digits=2, seed=4)
    vocab = ds.meta["vocab"]
    assert ds.x_train.shape == (240, 8) and ds.y_train.shape == (240, 8)
    assert ds.x_train.dtype == np.int64 and ds.num_classes == len(vocab) == 12
    for x, y in zip(ds.x_train[:50], ds.y_train[:50], strict=True):
        text = decode(x, vocab) + decode(y[-1:], vocab)
        assert decode(y, vocab) == text[1:]
        a, rest = text.split("+")
        b, c = rest.split("=")
        assert len(a) == len(b) == 2 and len(c) == 3 and int(a) + int(b) == int(c)
    start = ds.meta["answer_start"]
    assert decode(ds.x_train[0, start : start + 1], vocab) == "="


def test_addition_pairs_do_not_leak_into_the_test_set() -> None:
    ds = load_dataset("addition", n_samples=2000, digits=2)
    train = {tuple(r) for r in ds.x_train.tolist()}
    assert not any(tuple(r) in train for r in ds.x_test.tolist())


def test_addition_is_deterministic() -> None:
    a, b = load_dataset("addition", seed=2), load_dataset("addition", seed=2)
    np.testing.assert_array_equal(a.x_test, b.x_test)


def test_text_file_windows(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("hello world, héllo wörld\n" * 40, encoding="utf-8")
    ds = load_dataset("text", path=str(path), block_size=16, seed=1)
    vocab, stoi = ds.meta["vocab"], ds.meta["stoi"]
    assert vocab == tuple(sorted(set(path.read_text(encoding="utf-8"))))
    assert ds.x_train.shape[1:] == (16,) and ds.input_shape == (16,)
    np.testing.assert_array_equal(ds.x_train[:, 1:], ds.y_train[:, :-1])
    assert decode(ds.x_train[0], vocab) in path.read_text(encoding="utf-8") * 2
    np.testing.assert_array_equal(encode("héllo", stoi), [stoi[c] for c in "héllo"])


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"short", "too few for block_size=64"), (b"\xff\xfe\x00bad", "not UTF-8 text")],
)
def test_text_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_dataset("text", path=str(path))


def test_text_needs_a_path() -> None:
    with pytest.raises(DatasetError, match='needs a file: pass path="some.txt"'):
        load_dataset("text")


def test_encode_rejects_unknown_characters() -> None:
    with pytest.raises(DatasetError, match="'z' is not in the vocabulary"):
        encode("z", {"a": 0})


def test_tinyshakespeare_from_data_dir(shared_datasets: Path) -> None:
    ds = load_dataset("tinyshakespeare", data_dir=str(shared_datasets), n_samples=500)
    assert ds.num_classes == 65 and ds.meta["characters"] == 1_115_394
    assert ds.x_train.shape == (500, 64)
    assert decode(ds.x_train[0], ds.meta["vocab"]) in (
        (shared_datasets / "tinyshakespeare" / "input.txt").read_text()
    )


def test_tinyshakespeare_missing(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no tinyshakespeare input.txt"):
        load_dataset("tinyshakespeare", data_dir=str(tmp_path))
