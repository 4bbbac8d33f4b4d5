"""CSV and NPZ loaders: good files, bad files and random text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.data import load_dataset
from nntui.errors import DatasetError


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_with_header_and_string_classes(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * 2.5},{'ab'[i % 2]}\n" for i in range(20))
    ds = load_dataset("csv", path=_csv(tmp_path, "x1,x2,kind\n" + rows), seed=3)
    assert ds.task == "classification" and ds.class_names == ("a", "b")
    assert ds.x_train.shape == (16, 2) and ds.x_train.dtype == np.float32
    assert ds.y_train.dtype == np.int64 and ds.meta["feature_names"] == ["x1", "x2"]
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)


def test_csv_regression_inferred_and_target_by_index(tmp_path: Path) -> None:
    rows = "".join(f"{i * 0.37:.3f},{i},{i % 3}\n" for i in range(30))
    ds = load_dataset("csv", path=_csv(tmp_path, rows), target=0, scale=False)
    assert ds.task == "regression" and ds.y_train.shape == (24, 1)
    assert ds.y_train.dtype == np.float32 and ds.meta["feature_names"] == ["column 1", "column 2"]


def test_csv_integer_target_is_classification_unless_overridden(tmp_path: Path) -> None:
    path = _csv(tmp_path, "".join(f"{i},{i % 3}\n" for i in range(30)))
    ds = load_dataset("csv", path=path)
    assert ds.task == "classification" and ds.class_names == ("0", "1", "2")
    assert load_dataset("csv", path=path, task="regression").task == "regression"


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("a,b,y\n1,2,0\n3,,1\n5,6,0\n", {}, r"missing value in row 3, column 'b'"),
        ("a,b,y\n1,2,0\n3,x,1\n5,6,0\n", {}, r"non-numeric value 'x' in row 3, column 'b'"),
        ("a,b,y\n1,2,0\n3,4\n5,6,0\n", {}, r"row 3 has 2 columns, expected 3"),
        ("a,b,y\n1,2,0\n3,4,1\n", {"target": "z"}, r"no column named 'z'; columns: a, b, y"),
        ("a,b,y\n1,2,0\n3,4,1\n", {"target": 5}, r"target=5 is out of range for 3 columns"),
        ("a,b,y\n1,2,0\n3,4,cat\n", {"task": "regression"}, r"non-numeric target 'cat' in row 3"),
        ("1,2,0\n3,4,NA\n", {}, r"missing target in row 2, column 'column 2'"),
        ("", {}, "the CSV file is empty"),
        ("a,b\n1,2\n", {}, "need at least 2 columns and 2 data rows"),
    ],
)
def test_csv_errors_name_row_and_column(
    tmp_path: Path, text: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset("csv", path=_csv(tmp_path, text), **options)  # type: ignore[arg-type]


def test_csv_missing_file_and_path(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such CSV file"):
        load_dataset("csv", path=str(tmp_path / "nope.csv"))
    with pytest.raises(DatasetError, match='needs a file: pass path="data.csv"'):
        load_dataset("csv")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('0123456789.,-e\n" abNA')), max_size=80))
def test_random_csv_text_loads_or_raises_dataset_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    path.write_text(text, encoding="utf-8")
    try:
        ds = load_dataset("csv", path=str(path))
    except DatasetError:
        return
    assert ds.x_train.dtype == np.float32 and len(ds.x_train) == len(ds.y_train)


def test_npz_x_y_and_presplit(tmp_path: Path) -> None:
    x, y = np.arange(40, dtype=np.float64).reshape(20, 2), np.arange(20) % 2
    np.savez(tmp_path / "a.npz", x=x, y=y)
    ds = load_dataset("npz", path=str(tmp_path / "a.npz"))
    assert ds.task == "classification" and ds.x_train.shape == (16, 2) and ds.num_classes == 2
    np.savez(tmp_path / "b.npz", x_train=x, y_train=y * 0.5, x_test=x[:3], y_test=y[:3] * 0.5)
    ds = load_dataset("npz", path=str(tmp_path / "b.npz"))
    assert ds.task == "regression" and ds.y_test.shape == (3, 1) and ds.n_train == 20


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"data": np.zeros(3)}, "needs arrays x and y, or x_train.*found data"),
        ({"x": np.zeros((3, 2)), "y": np.zeros(2)}, r"same first dimension"),
        ({"x": np.zeros((3, 2)), "y": np.array([1, "a", None], dtype=object)}, "object arrays"),
    ],
)
def test_npz_errors(tmp_path: Path, arrays: dict[str, np.ndarray], message: str) -> None:
    np.savez(tmp_path / "bad.npz", **arrays)  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match=message):
        load_dataset("npz", path=str(tmp_path / "bad.npz"))


def test_npz_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DatasetError, match="not a readable .npz archive"):
        load_dataset("npz", path=str(tmp_path / "junk.npz"))


def test_npz_other_files(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.zeros(3))
    with pytest.raises(DatasetError, match=r"a\.npy: not a \.npz archive"):
        load_dataset("npz", path=str(tmp_path / "a.npy"))
    with pytest.raises(DatasetError, match="no such NPZ file"):
        load_dataset("npz", path=str(tmp_path / "none.npz"))
