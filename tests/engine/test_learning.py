"""The course's learning claims: the perceptron rule on separable data and XOR, an MLP
on XOR and a spiral with each optimizer."""

from __future__ import annotations

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.engine.perceptron import Perceptron


def _blobs(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype(np.float32), y


def _xor(n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    x += np.sign(x) * 0.1  # keep points off the axes
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)


def _spiral(n_per: int = 200, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(k):
        r = np.linspace(0.05, 1, n_per)
        t = np.linspace(c * 4, (c + 1) * 4, n_per) + rng.standard_normal(n_per) * 0.2
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(n_per, c))
    return np.concatenate(xs).astype(np.float32) * 2, np.concatenate(ys)


def test_perceptron_rule_converges_on_separable_data() -> None:
    x, y = _blobs()
    model = Perceptron(2, learning_rate=0.1, seed=0, backend="numpy")
    history = model.fit(x, y, batch_size=1, epochs=5, verbose=0)
    assert history.history["loss"][-1] == 0.0  # no mistakes in the last epoch: converged
    assert model.evaluate(x, y) == [0.0, 1.0]  # [error rate, accuracy]


def test_perceptron_cannot_fit_xor() -> None:
    x, y = _xor()
    model = Perceptron(2, learning_rate=0.1, seed=0, backend="numpy")
    history = model.fit(x, y, batch_size=1, epochs=10, verbose=0)
    assert min(history.history["loss"]) > 0.2  # never converges
    pred = model.predict(x)[:, 0]
    assert np.mean(pred == y) < 0.75


@pytest.mark.parametrize("optimizer", [nntui.optimizers.SGD(0.5, momentum=0.9),
                                       nntui.optimizers.RMSprop(0.01), nntui.optimizers.Adam(0.02)])
def test_mlp_fits_xor_with_each_optimizer(optimizer) -> None:
    x, y = _xor()
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(8, activation="tanh"),
                              layers.Dense(1, activation="sigmoid")], backend="numpy", seed=0)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=40, verbose=0)
    assert model.evaluate(x, y)[1] >= 0.95


@pytest.mark.parametrize("optimizer", [nntui.optimizers.SGD(0.1, momentum=0.9),
                                       nntui.optimizers.RMSprop(0.005),
                                       nntui.optimizers.Adam(0.01)])
def test_mlp_fits_spiral_with_each_optimizer(optimizer) -> None:
    x, y = _spiral()
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"),
                              layers.Dense(3, activation="softmax")], backend="numpy", seed=0)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=60, verbose=0)
    assert model.evaluate(x, y)[1] >= 0.95


def test_fit_history_validation_split_takes_the_last_samples() -> None:
    x, y = _xor(100)
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(3, activation="softmax")], seed=0,
                             backend="numpy")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(h.history["loss"]) == 2
    # the validation figures are those of evaluate() on the last 20 samples
    assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(x[80:], y[80:])[0], rel=1e-5)
