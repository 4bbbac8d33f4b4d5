"""Sequence tasks: sine forecasting and the long-memory recall task."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.errors import DatasetError


@pytest.mark.parametrize("name", ["sine", "noisy_sine", "long_memory"])
def test_deterministic_for_a_seed(name: str) -> None:
    a, b = load_dataset(name, seed=7, n_samples=200), load_dataset(name, seed=7, n_samples=200)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_sine_target_is_the_next_value_of_the_series() -> None:
    ds = load_dataset("sine", n_samples=100, timesteps=12, period=20.0)
    assert ds.x_train.shape == (80, 12, 1) and ds.y_train.shape == (80, 1)
    assert ds.x_train.dtype == np.float32 and ds.task == "sequence"
    # A pure sine obeys s[t+1] = 2 cos(w) s[t] - s[t-1].
    w = 2 * np.pi / 20.0
    predicted = 2 * np.cos(w) * ds.x_train[:, -1, 0] - ds.x_train[:, -2, 0]
    np.testing.assert_allclose(ds.y_train[:, 0], predicted, atol=1e-5)


def test_noisy_sine_has_noise() -> None:
    ds = load_dataset("noisy_sine", n_samples=200, noise=0.2)
    assert ds.x_train.shape == (160, 30, 1)
    step = np.diff(ds.x_train[:, :, 0], axis=1)
    assert step.std() > 0.2  # a smooth series at period 25 moves by < 0.26 per step


def test_long_memory_signal_marker_and_labels() -> None:
    ds = load_dataset("long_memory", n_samples=400, timesteps=25, num_classes=3, noise=1.0)
    assert ds.x_train.shape == (320, 25, 4) and ds.y_train.dtype == np.int64
    assert ds.input_shape == (25, 4) and ds.num_classes == 3
    first = ds.x_train[:, 0, :]
    np.testing.assert_array_equal(first[:, :3].argmax(axis=1), ds.y_train)
    assert np.all(first[:, 3] == 1) and np.all(ds.x_train[:, 1:, 3] == 0)
    # The rest carries no information about the label: per-class means of the noise agree.
    late = ds.x_train[:, 1:, :3].mean(axis=1)
    means = np.stack([late[ds.y_train == c].mean(axis=0) for c in range(3)])
    assert np.abs(means).max() < 0.1
    counts = np.bincount(np.concatenate([ds.y_train, ds.y_test]))
    assert counts.max() - counts.min() <= 1


def test_long_memory_needs_two_steps() -> None:
    with pytest.raises(DatasetError, match="timesteps must be an integer >= 2"):
        load_dataset("long_memory", timesteps=1)


def test_sine_rejects_a_bad_period() -> None:
    with pytest.raises(DatasetError, match="period must be a positive number"):
        load_dataset("sine", period=0)
