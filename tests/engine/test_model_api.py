"""Keras habits of the model: variable-length sequences (Keras 3 is the oracle), weights
right after construction, ``nntui.models``, ``fit`` setting ``model.history``, and
``save`` / ``load_model`` round trips that continue training exactly."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.errors import CheckpointError, ShapeError
from nntui.models import Sequential, load_model
from nntui.optimizers.schedules import ExponentialDecay

os.environ.setdefault("KERAS_BACKEND", "torch")


def _keras() -> Any:
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend")
    return keras


def _series(n: int, t: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sin(np.linspace(0, 3, t)[None, :, None] + rng.uniform(0, 6, (n, 1, 1)))
    return x.astype(np.float32), x[:, -1, 0] * 0.5


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_variable_length_sequences_fit_and_predict_as_keras(name: str) -> None:
    keras = _keras()
    ours = Sequential([getattr(layers, name)(6, input_shape=(None, 1)), layers.Dense(1)], seed=0)
    theirs = keras.Sequential([keras.Input((None, 1)), getattr(keras.layers, name)(6),
                               keras.layers.Dense(1)])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer="adam", loss="mse")
    theirs.compile(optimizer="adam", loss="mse")
    for t, seed in ((5, 0), (9, 1)):  # a different length every call
        x, y = _series(16, t, seed)
        h = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        kh = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        np.testing.assert_allclose(h.history["loss"], kh.history["loss"], rtol=1e-4)
    x, _ = _series(4, 13, 2)
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-4,
                               atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_variable_length_still_checks_the_features() -> None:
    model = Sequential([layers.LSTM(3, input_shape=(None, 2))])
    with pytest.raises(ShapeError, match=r"expects inputs of shape \(batch, None, 2\)"):
        model.predict(np.zeros((1, 4, 3)))


def test_weights_exist_as_soon_as_the_input_shape_is_known() -> None:
    keras = _keras()
    ours = Sequential([nntui.Input((4,)), layers.Dense(3), layers.Dense(2)])
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert [w.shape for w in ours.layers[0].get_weights()] == [(4, 3), (3,)]
    grown = Sequential()
    grown.add(nntui.Input((4,)))
    grown.add(layers.Dense(3))
    assert [w.shape for w in grown.get_weights()] == [(4, 3), (3,)]


def test_fit_returns_the_history_and_keeps_it_on_the_model() -> None:
    model = Sequential([nntui.Input((2,)), layers.Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((8, 2)), np.ones(8), epochs=3, verbose=0)
    assert model.history is history
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3


def _trained(tmp_path: Path) -> tuple[Any, np.ndarray, np.ndarray, Path]:
    x, y = _series(32, 6, 0)
    model = Sequential([layers.GRU(5, input_shape=(None, 1), return_sequences=True),
                        layers.LSTM(4), layers.Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer=nntui.optimizers.Adam(ExponentialDecay(0.01, 5, 0.9)),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    labels = (y > 0).astype(int)
    model.fit(x, labels, batch_size=8, epochs=2, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    return model, x, labels, path


def test_save_and_load_continue_training_exactly(tmp_path: Path) -> None:
    model, x, y, path = _trained(tmp_path)
    again = load_model(path)
    assert [type(a).__name__ for a in again.layers] == [type(a).__name__ for a in model.layers]
    assert again.input_shape == (None, 1)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    h1 = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    h2 = again.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert h1.history == h2.history  # Adam's moments, step count and schedule came back
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_saved_files_need_no_pickle_and_bad_files_are_named(tmp_path: Path) -> None:
    _, x, _, path = _trained(tmp_path)
    with np.load(path, allow_pickle=False) as archive:
        assert "__model__" in archive.files and "optimizer/iterations" in archive.files
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="bad.keras"):
        load_model(bad)
    with pytest.raises(CheckpointError, match="not found"):
        load_model(tmp_path / "missing.keras")
    assert zipfile.is_zipfile(path)


def test_save_weights_and_load_weights(tmp_path: Path) -> None:
    model, x, _, _ = _trained(tmp_path)
    model.save_weights(tmp_path / "w.weights.npz")
    other = Sequential([layers.GRU(5, input_shape=(None, 1), return_sequences=True),
                        layers.LSTM(4), layers.Dense(2, activation="softmax")], seed=1)
    other.load_weights(tmp_path / "w.weights.npz")
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
