"""Drawing on a 2-D dataset: points added and erased, noise and split changed, saved as a
CSV that the csv loader reads back point for point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.data.drawn import DrawnPoints
from nntui.errors import DatasetError


def _sorted_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    rows = np.column_stack([np.round(x, 5), y])
    return rows[np.lexsort(rows.T[::-1])]


def test_added_points_train_and_the_split_holds_out_its_share() -> None:
    pts = DrawnPoints.generate("spiral", {"n_samples": 300}, seed=1, split=0.25)
    x, y, xv, yv = pts.arrays()
    assert (len(x), len(xv)) == (225, 75)
    pts.add((0.5, -0.5), 2)
    pts.add((0.1, 0.2), 0)
    x2, y2, xv2, _ = pts.arrays()
    assert len(x2) == 227 and len(xv2) == 75
    np.testing.assert_allclose(x2[-2:], [[0.5, -0.5], [0.1, 0.2]])
    assert list(y2[-2:]) == [2, 0]
    pts.set_split(0.5)
    assert pts.counts() == (152, 150, 2)


def test_erase_removes_exactly_the_points_within_the_radius() -> None:
    pts = DrawnPoints.generate("xor", {"n_samples": 200}, seed=0, split=0.0)
    pts.add((0.0, 0.0), 1)
    x, _, _, _ = pts.arrays()
    centre, radius = np.array([0.8, 0.8]), 0.5
    near = int(np.sum(np.linalg.norm(x - centre, axis=1) <= radius))
    assert near > 0
    assert pts.erase(tuple(centre), radius) == near
    x2, _, _, _ = pts.arrays()
    assert len(x2) == len(x) - near and np.all(np.linalg.norm(x2 - centre, axis=1) > radius)


def test_noise_regenerates_the_generators_points_and_keeps_the_drawn_ones() -> None:
    pts = DrawnPoints.generate("moons", {"n_samples": 100}, seed=3, split=0.2)
    pts.add((9.0, 9.0), 1)
    pts.set_noise(0.0)
    clean = load_dataset("moons", seed=3, n_samples=100, noise=0.0)
    pool = np.concatenate([clean.x_train, clean.x_test])
    np.testing.assert_allclose(np.sort(pts.base_x, axis=0), np.sort(pool, axis=0))
    assert pts.added_x == [(9.0, 9.0)]


def test_the_saved_csv_reads_back_as_the_same_points(tmp_path: Path) -> None:
    pts = DrawnPoints.generate("spiral", {"n_samples": 150, "num_classes": 3}, seed=0)
    pts.add((0.25, 0.75), 1)
    path = pts.to_csv(tmp_path / "drawn.csv")
    back = load_dataset("csv", path=str(path), scale=False, test_fraction=0.2)
    x, y, xv, yv = pts.arrays()
    np.testing.assert_allclose(
        _sorted_rows(np.concatenate([back.x_train, back.x_test]),
                     np.concatenate([back.y_train, back.y_test])),
        _sorted_rows(np.concatenate([x, xv]), np.concatenate([y, yv])), atol=1e-5)
    assert back.num_classes == 3 and back.input_shape == (2,)


@pytest.mark.parametrize("call,message", [
    (lambda p: p.add((0.0, 0.0), 5), "label must be a class from 0 to 2"),
    (lambda p: p.add((np.nan, 0.0), 0), "finite"),
    (lambda p: p.set_noise(-1.0), "noise must be from 0 to 5"),
    (lambda p: p.set_split(0.95), "validation split must be from 0 to 0.9"),
])
def test_bad_drawing_is_one_clear_error(call: object, message: str) -> None:
    pts = DrawnPoints.generate("spiral", {"n_samples": 60}, seed=0)
    with pytest.raises(DatasetError, match=message):
        call(pts)  # type: ignore[operator]


def test_only_2d_point_datasets_can_be_drawn_on() -> None:
    with pytest.raises(DatasetError, match="only 2-D point datasets"):
        DrawnPoints.generate("sine")


def test_a_runs_own_split_is_kept_until_the_split_changes() -> None:
    ds = load_dataset("spiral", seed=2, n_samples=120)
    pts = DrawnPoints.from_arrays("spiral", {"n_samples": 120}, 2, (ds.x_train, ds.y_train),
                                  (ds.x_test, ds.y_test))
    x, y, xv, yv = pts.arrays()
    np.testing.assert_array_equal(x, ds.x_train)
    np.testing.assert_array_equal(yv, ds.y_test)
    pts.set_split(0.5)
    assert pts.counts() == (60, 60, 0)
