"""Embedded 2-D and regression generators: determinism, shapes, dtypes, learnability hints."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.errors import DatasetError

POINTS = ["blobs", "xor", "circles", "moons", "spiral", "gaussian"]
REGRESSION = ["regression1d", "regression"]


@pytest.mark.parametrize("name", POINTS + REGRESSION)
def test_same_seed_same_arrays_other_seed_other_arrays(name: str) -> None:
    a, b, c = (load_dataset(name, seed=s) for s in (3, 3, 4))
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("name", POINTS)
def test_points_shapes_dtypes_labels_and_scale(name: str) -> None:
    ds = load_dataset(name, seed=0, n_samples=500)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.shape == (400, 2) and ds.x_test.shape == (100, 2)
    assert ds.input_shape == (2,) and ds.task == "classification"
    assert ds.num_classes == len(ds.class_names or ())
    labels = np.concatenate([ds.y_train, ds.y_test])
    assert set(np.unique(labels)) == set(range(ds.num_classes or 0))
    x = np.concatenate([ds.x_train, ds.x_test])
    assert np.all(np.abs(x.mean(axis=0)) < 0.1) and np.all(np.abs(x.std(axis=0) - 1) < 0.3)


def test_blobs_are_strictly_linearly_separable() -> None:
    ds = load_dataset("blobs", seed=5, n_samples=1000, noise=1.5)
    x = np.concatenate([ds.x_train, ds.x_test]).astype(np.float64)
    t = np.where(np.concatenate([ds.y_train, ds.y_test]) == 1, 1.0, -1.0)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(3)
    for _ in range(200):  # the perceptron rule converges only on separable data
        wrong = t * (xb @ w) <= 0
        if not wrong.any():
            break
        w += (t[wrong, None] * xb[wrong]).sum(axis=0)
    assert not (t * (xb @ w) <= 0).any()


def test_xor_labels_follow_the_quadrant_signs() -> None:
    ds = load_dataset("xor", seed=0, noise=0.05)
    predicted = (ds.x_train[:, 0] * ds.x_train[:, 1] < 0).astype(np.int64)
    assert (predicted == ds.y_train).mean() > 0.99


def test_spiral_arms_and_balance() -> None:
    ds = load_dataset("spiral", seed=0, n_samples=1000, num_classes=5)
    counts = np.bincount(np.concatenate([ds.y_train, ds.y_test]))
    assert counts.tolist() == [200] * 5
    assert ds.class_names == tuple(f"class {i}" for i in range(5))


def test_gaussian_ring_has_eight_round_modes() -> None:
    ds = load_dataset("gaussian", layout="ring", n_samples=800)
    assert ds.num_classes == 8 and ds.meta["layout"] == "ring"
    x = np.concatenate([ds.x_train, ds.x_test])
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.std() / radius.mean() < 0.1  # one common scale keeps the ring round


def test_regression1d_shapes_and_range() -> None:
    ds = load_dataset("regression1d", n_samples=300)
    assert ds.x_train.shape == (240, 1) and ds.y_train.shape == (240, 1)
    assert ds.y_train.dtype == np.float32 and ds.task == "regression"
    assert ds.x_train.min() >= -3 and ds.x_train.max() <= 3
    clean = np.sin(1.5 * ds.x_train) + 0.3 * ds.x_train
    assert np.abs(ds.y_train - clean).std() < 0.15


def test_regression_n_features() -> None:
    ds = load_dataset("regression", n_features=8, n_samples=200)
    assert ds.x_train.shape == (160, 8) and ds.y_test.shape == (40, 1)
    assert ds.input_shape == (8,)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_samples": 0}, "n_samples must be an integer >= 2. Received: n_samples=0"),
        ({"num_classes": 1}, "num_classes must be an integer >= 2"),
        ({"test_fraction": 1.5}, "test_fraction must be a number between 0 and 1"),
        ({"seed": -1}, "seed must be a non-negative integer"),
    ],
)
def test_bad_values_are_quoted(options: dict[str, object], message: str) -> None:
    with pytest.raises(DatasetError, match=message.replace("(", r"\(")):
        load_dataset("spiral", **options)  # type: ignore[arg-type]


def test_gaussian_rejects_unknown_layout() -> None:
    with pytest.raises(DatasetError, match="layout must be one of random, ring"):
        load_dataset("gaussian", layout="grid")
