"""The drawn-shapes image dataset."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.data.images import SHAPES
from nntui.errors import DatasetError


def test_shapes_layout_range_and_determinism() -> None:
    a = load_dataset("shapes", seed=1, n_samples=500)
    b = load_dataset("shapes", seed=1, n_samples=500)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.x_train.shape == (400, 28, 28, 1) and a.x_test.shape == (100, 28, 28, 1)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert a.x_train.min() >= 0.0 and a.x_train.max() <= 1.0
    assert a.class_names == ("circle", "square", "triangle", "cross")
    assert a.input_shape == (28, 28, 1)


def test_classes_are_balanced() -> None:
    ds = load_dataset("shapes", n_samples=1000, num_classes=6)
    counts = np.bincount(np.concatenate([ds.y_train, ds.y_test]), minlength=6)
    assert counts.tolist() == [1000 // 6 + (i < 1000 % 6) for i in range(6)]
    assert ds.class_names == SHAPES


def test_classes_are_distinguishable() -> None:
    ds = load_dataset("shapes", n_samples=2000, noise=0.0)
    x, y = ds.x_train[..., 0], ds.y_train
    # Shape statistics that do not depend on position: ink area relative to extent.
    ink = x.sum(axis=(1, 2))
    rows, cols = (x > 0.5).any(axis=2).sum(axis=1), (x > 0.5).any(axis=1).sum(axis=1)
    fill = ink / np.maximum(rows * cols, 1)
    means = np.array([fill[y == c].mean() for c in range(4)])
    # square fills its box, circle ~pi/4, triangle and cross about half.
    assert means[1] > means[0] > means[2] and means[0] > means[3]
    assert np.min(np.diff(np.sort(means))) > 0.02
    mean_images = np.stack([x[y == c].mean(axis=0) for c in range(4)])
    distances = np.abs(mean_images[:, None] - mean_images[None]).sum(axis=(2, 3))
    assert distances[~np.eye(4, dtype=bool)].min() > 1.0


def test_size_labelling_separates_small_from_large() -> None:
    ds = load_dataset("shapes", n_samples=600, labelling="size", noise=0.0)
    assert ds.class_names == ("small", "large") and ds.num_classes == 2
    ink = (ds.x_train[..., 0] > 0.5).sum(axis=(1, 2))
    assert ink[ds.y_train == 1].min() > ink[ds.y_train == 0].max()


def test_two_thousand_images_draw_fast() -> None:
    timings = []
    for seed in range(2):  # best of two: a loaded CI machine should not fail this
        start = time.perf_counter()
        load_dataset("shapes", n_samples=2000, seed=seed)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [({"num_classes": 7}, "between 2 and 6"), ({"labelling": "colour"}, "labelling must be")],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset("shapes", **options)  # type: ignore[arg-type]
