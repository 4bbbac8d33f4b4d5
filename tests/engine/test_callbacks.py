"""Keras callbacks: Keras 3 (torch backend) is the oracle for the hooks' order, the stopped
epoch and restored weights of EarlyStopping, ReduceLROnPlateau's and LearningRateScheduler's
rate sequences, stop_training mid-epoch and CSVLogger's file, on the same weights and data."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nntui
from nntui import callbacks, layers
from nntui.models import load_model

os.environ.setdefault("KERAS_BACKEND", "torch")


def _keras() -> Any:
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend")
    return keras


def _data() -> tuple[np.ndarray, ...]:
    """A small noisy training set and a clean validation set: val_loss falls, then wanders."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 3)).astype(np.float32)
    y = (x[:, :1] + rng.standard_normal((24, 1))).astype(np.float32)
    xv = rng.standard_normal((40, 3)).astype(np.float32)
    return x, y, xv, xv[:, :1].copy()


def _pair(lr: float = 0.05) -> tuple[Any, Any]:
    keras = _keras()
    ours = nntui.Sequential([nntui.Input((3,)), layers.Dense(16, activation="tanh"),
                             layers.Dense(1)], seed=0, backend="numpy")
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(16, activation="tanh"),
                               keras.layers.Dense(1)])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=nntui.optimizers.Adam(lr), loss="mse")
    theirs.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    return ours, theirs


def _fit_both(ours: Any, theirs: Any, ours_cb: list, theirs_cb: list,
              epochs: int = 60) -> tuple[Any, Any]:
    x, y, xv, yv = _data()
    kw = {"batch_size": 8, "epochs": epochs, "shuffle": False, "validation_data": (xv, yv),
          "verbose": 0}
    return ours.fit(x, y, callbacks=ours_cb, **kw), theirs.fit(x, y, callbacks=theirs_cb, **kw)


def _assert_same_weights(ours: Any, theirs: Any) -> None:
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=5e-5)


def test_early_stopping_restores_the_best_weights_as_keras() -> None:
    keras = _keras()
    ours, theirs = _pair()
    es, kes = (callbacks.EarlyStopping(patience=3, restore_best_weights=True),
               keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True))
    h, kh = _fit_both(ours, theirs, [es], [kes])
    assert 0 < es.stopped_epoch < 59  # it did stop early, at Keras's epoch, after Keras's best
    assert (es.stopped_epoch, es.best_epoch) == (kes.stopped_epoch, kes.best_epoch)
    assert h.epoch == kh.epoch
    np.testing.assert_allclose(h.history["val_loss"], kh.history["val_loss"], rtol=1e-4)
    _assert_same_weights(ours, theirs)  # the restored (best) weights, not the last ones
    assert ours.history is h


def test_reduce_lr_on_plateau_rate_sequence_matches_keras() -> None:
    keras = _keras()
    ours, theirs = _pair(0.02)
    kw = {"monitor": "val_loss", "factor": 0.5, "patience": 1, "min_delta": 0.01, "cooldown": 1,
          "min_lr": 1e-3}
    h, kh = _fit_both(ours, theirs, [callbacks.ReduceLROnPlateau(**kw)],
                      [keras.callbacks.ReduceLROnPlateau(**kw)], epochs=25)
    rates = h.history["learning_rate"]
    assert len(set(rates)) >= 3  # it did reduce, more than once, and stopped at min_lr
    np.testing.assert_allclose(rates, kh.history["learning_rate"], rtol=1e-6)
    _assert_same_weights(ours, theirs)


def test_learning_rate_scheduler_matches_keras() -> None:
    keras = _keras()
    ours, theirs = _pair()

    def schedule(epoch: int, lr: float) -> float:
        return lr if epoch < 2 else lr * 0.7

    h, kh = _fit_both(ours, theirs, [callbacks.LearningRateScheduler(schedule)],
                      [keras.callbacks.LearningRateScheduler(schedule)], epochs=6)
    np.testing.assert_allclose(h.history["learning_rate"], kh.history["learning_rate"],
                               rtol=1e-6)
    _assert_same_weights(ours, theirs)


def test_hooks_run_in_keras_order_and_stop_training_ends_after_the_batch() -> None:
    keras = _keras()
    ours, theirs = _pair()

    def recorder(lib: Any) -> tuple[list[str], Any]:
        seen: list[str] = []

        def batch_end(batch: int, logs: dict) -> None:
            seen.append(f"batch_end {batch}")
            if len(seen) > 9:  # in the second epoch
                model.stop_training = True
        model = ours if lib is callbacks else theirs
        cb = lib.LambdaCallback(
            on_train_begin=lambda logs: seen.append("train_begin"),
            on_epoch_begin=lambda epoch, logs: seen.append(f"epoch_begin {epoch}"),
            on_train_batch_begin=lambda batch, logs: seen.append(f"batch_begin {batch}"),
            on_train_batch_end=batch_end,
            on_epoch_end=lambda epoch, logs: seen.append(f"epoch_end {epoch} {sorted(logs)}"),
            on_train_end=lambda logs: seen.append("train_end"))
        return seen, cb

    ours_seen, ours_cb = recorder(callbacks)
    theirs_seen, theirs_cb = recorder(keras.callbacks)
    _fit_both(ours, theirs, [ours_cb], [theirs_cb], epochs=5)
    assert ours_seen == theirs_seen
    assert ours_seen[-2].startswith("epoch_end 1")  # stopped inside epoch 1, which still ended
    _assert_same_weights(ours, theirs)


def test_csv_logger_writes_what_keras_writes(tmp_path: Path) -> None:
    keras = _keras()
    ours, theirs = _pair()
    _fit_both(ours, theirs, [callbacks.CSVLogger(tmp_path / "ours.csv")],
              [keras.callbacks.CSVLogger(str(tmp_path / "theirs.csv"))], epochs=3)
    with open(tmp_path / "ours.csv") as a, open(tmp_path / "theirs.csv") as b:
        rows, want = list(csv.reader(a)), list(csv.reader(b))
    assert rows[0] == want[0] == ["epoch", "loss", "val_loss"]
    np.testing.assert_allclose(np.array(rows[1:], float), np.array(want[1:], float), rtol=1e-4)


def test_terminate_on_nan_stops_instead_of_raising() -> None:
    model = nntui.Sequential([nntui.Input((1,)), layers.Dense(1)], seed=0)
    model.compile(optimizer=nntui.optimizers.SGD(1e30), loss="mse")
    x = np.full((16, 1), 1e10, np.float32)
    steps: list[int] = []
    history = model.fit(x, x[:, 0], batch_size=4, epochs=5, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN(), callbacks.LambdaCallback(
                            on_train_batch_end=lambda batch, logs: steps.append(batch))])
    assert history.epoch == [0] and len(steps) < 4  # without it: TrainingDiverged
    assert not np.all(np.isfinite(model.get_weights()[0]))


def test_model_checkpoint_keeps_the_best_model(tmp_path: Path) -> None:
    ours, _ = _pair()
    x, y, xv, yv = _data()
    path = tmp_path / "best.keras"
    es = callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    ours.fit(x, y, batch_size=8, epochs=60, shuffle=False, validation_data=(xv, yv), verbose=0,
             callbacks=[callbacks.ModelCheckpoint(path, save_best_only=True), es])
    best = load_model(path)
    for a, b in zip(best.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the checkpoint holds the restored best epoch
    per_epoch = tmp_path / "e{epoch:02d}-{val_loss:.3f}.weights.npz"
    ours.fit(x, y, epochs=2, verbose=0, validation_data=(xv, yv),
             callbacks=[callbacks.ModelCheckpoint(per_epoch, save_weights_only=True)])
    assert sorted(p.name[:3] for p in tmp_path.glob("e*.weights.npz")) == ["e01", "e02"]
