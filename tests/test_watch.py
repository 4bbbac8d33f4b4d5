"""``nntui.Dashboard``: a learner's own ``fit`` (Keras-shaped or an estimator's) writes a run
folder whose panels are chosen by what the model contains and show the trained model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.neural_network import MLPClassifier
from nntui.runlog import read_jsonl_rows
from nntui.runlog.config import read_config
from nntui.runlog.snapshot_store import SnapshotReader
from nntui.viz import grid_points
from nntui.watch import Dashboard, model_architecture


def last_snapshot(folder: Path):  # noqa: ANN201 - a SnapshotTaken
    reader = SnapshotReader(folder)
    reader.poll()
    return reader.load(reader.entries[-1])


def tiny_images(n: int = 96) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((n, 8, 8, 1)).astype("float32")
    return x, (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype("int64")


@pytest.mark.parametrize(("body", "shape", "expected"), [
    ([layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(2)], (8, 8, 1), "cnn"),
    ([layers.LSTM(3), layers.Dense(1)], (5, 1), "lstm"),
    ([layers.GRU(3), layers.Dense(1)], (5, 1), "gru"),
    ([layers.SimpleRNN(3), layers.Dense(1)], (5, 1), "rnn"),
    ([layers.Dense(4), layers.Dense(2)], (2,), "mlp"),
])
def test_the_panel_is_chosen_by_what_the_model_contains(body, shape, expected) -> None:
    model = nntui.Sequential([nntui.Input(shape), *body])
    assert model_architecture(model, np.zeros((1, *shape))) == expected


def test_a_keras_fit_with_the_callback_writes_a_cnn_run_with_the_models_figures(
        tmp_path: Path) -> None:
    x, y = tiny_images()
    model = nntui.Sequential([nntui.Input((8, 8, 1)), layers.Conv2D(2, 3, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    board = Dashboard(tmp_path, quiet=True)
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
              callbacks=[board])
    [folder] = board.run_dirs
    assert read_config(folder)["architecture"] == "cnn"
    rows = read_jsonl_rows(folder / "metrics.jsonl")
    end = [r for r in rows if r.get("kind") == "epoch"][-1]
    snap = last_snapshot(folder)
    assert snap.step == end["step"] and "maps" in snap.extras
    # the panel's held-out accuracy is the model's own at the end (the last 25 % of x)
    assert snap.extras["heldout_accuracy"] == pytest.approx(end["val_accuracy"], abs=1e-6)
    assert snap.extras["heldout_total"] == 24
    assert (folder / "checkpoints").is_dir() and any((folder / "checkpoints").iterdir())


def test_watching_does_not_change_what_the_fit_learns(tmp_path: Path) -> None:
    x, y = tiny_images(48)

    def trained(callbacks: list) -> list[np.ndarray]:
        model = nntui.Sequential([nntui.Input((8, 8, 1)), layers.Flatten(),
                                  layers.Dense(4, activation="relu"),
                                  layers.Dense(2, activation="softmax")], seed=1)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=3, callbacks=callbacks)
        return model.get_weights()

    plain, watched = trained([]), trained([Dashboard(tmp_path, quiet=True)])
    for a, b in zip(plain, watched, strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_estimator_inside_the_context_is_watched_and_its_regions_are_predict_proba(
        tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    Y = (X[:, 0] * X[:, 1] > 0).astype(int)
    with Dashboard(tmp_path, quiet=True) as board:
        clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=15, random_state=0)
        with pytest.warns(Warning):  # not converged in 15 iterations: sklearn's warning
            clf.fit(X, Y)
    with pytest.warns(Warning):
        MLPClassifier(max_iter=1).fit(X, Y)  # outside the context: not watched
    [folder] = board.run_dirs
    assert list(tmp_path.iterdir()) == [folder]
    assert read_config(folder)["architecture"] == "mlp"
    snap = last_snapshot(folder)
    grid = snap.extras["grid"]  # (GH, GW, 2): class probabilities over the data's extent
    gh, gw, _ = grid.shape
    points = grid_points(snap.extras["extent"], gw, gh)
    np.testing.assert_allclose(grid.reshape(-1, 2), clf.predict_proba(points), atol=1e-5)
    steps = [r["step"] for r in read_jsonl_rows(folder / "metrics.jsonl")
             if r.get("kind") == "step"]
    assert snap.step == max(steps)
    assert json.loads(json.dumps(snap.extras["class_names"])) == ["0", "1"]
