"""A resumed run goes on as it was, also in what is not weights: the changes made while
it learned (learning rate, a frozen layer, a switched-off unit, dropout, L2), a learning
rate a callback moved, and early stopping's patience count and best weights. All were
lost: a run whose learning rate was raised to 0.123 in the app went on at its config's
0.01 after ``--resume``, and early stopping started counting again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.engine.surgery import Surgery
from nntui.presets import load_preset
from nntui.runlog import RunLogger, load_checkpoint
from nntui.runlog.run_checkpoint import CheckpointWriter, restore_run

EPOCHS = 4
CHANGES = (Surgery("freeze", "dense"), Surgery("ablate", "dense", unit=2),
           Surgery("l2", value=0.01), Surgery("dropout", value=0.2))


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch) -> None:
    monkeypatch.setenv("NNTUI_BLAS_THREADS", "1")


def _session() -> Any:
    return build_session(load_preset("mlp-xor").with_train(epochs=EPOCHS))


def _train(run_dir: Path, stop_after: int | None) -> Any:
    """mlp-xor with the changes made after epoch 1 (as the app makes them: between two
    steps, each announced); stopped after epoch ``stop_after`` when given."""
    session = _session()
    trainer = session.trainer(snapshot_every=0)
    logger = RunLogger(run_dir, tensorboard=False, snapshots=False)
    trainer.subscribe(logger.handle)
    trainer.subscribe(CheckpointWriter(logger, trainer))

    def change(event: ev.Event) -> None:
        if isinstance(event, ev.EpochCompleted) and event.epoch == 1:
            trainer.set_learning_rate(0.123)
            for surgery in CHANGES:
                trainer.emit(surgery.apply(trainer.model, trainer.step, trainer.epoch))
        if isinstance(event, ev.EpochCompleted) and event.epoch == stop_after:
            trainer.stop()

    trainer.subscribe(change)
    trainer.run()
    logger.close()
    return session.model


def _resumed(run_dir: Path) -> Any:
    session = _session()
    trainer = session.trainer(snapshot_every=0)
    restore_run(trainer, load_checkpoint(run_dir))
    assert trainer.model.optimizer.learning_rate == pytest.approx(0.123)
    trainer.run()
    return session.model


def test_a_resumed_run_keeps_the_changes_made_while_it_learned(tmp_path: Path) -> None:
    whole = _train(tmp_path / "whole", None)
    _train(tmp_path / "stopped", stop_after=2)
    resumed = _resumed(tmp_path / "stopped")
    assert [type(layer).__name__ for layer in resumed.layers] == \
        [type(layer).__name__ for layer in whole.layers]  # the dropout layer is back
    assert not resumed.layers[0].trainable
    for a, b in zip(whole.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_resume_that_sets_the_learning_rate_keeps_its_own(tmp_path: Path) -> None:
    _train(tmp_path / "run", stop_after=2)
    session = build_session(load_preset("mlp-xor", ["train.learning_rate=0.07"])
                            .with_train(epochs=EPOCHS))  # as --set train.learning_rate=0.07
    trainer = session.trainer(snapshot_every=0)
    restore_run(trainer, load_checkpoint(tmp_path / "run"))
    assert trainer.model.optimizer.learning_rate == pytest.approx(0.07)
    assert not trainer.model.layers[0].trainable  # the other changes are made again


def _spiral(tmp_path: Path, stop_after: int | None) -> tuple[Any, int]:
    """mlp-spiral with early stopping (patience 2): its validation loss falls at epoch 3
    and rises at 4 and 5, so it stops after epoch 5 with the weights of epoch 3."""
    session = build_session(load_preset("mlp-spiral", [
        "train.early_stopping=2", "train.learning_rate=0.05", "train.epochs=40"]))
    trainer = session.trainer(snapshot_every=0)
    if stop_after is None:
        trainer.run()
        return session.model, trainer.step
    logger = RunLogger(tmp_path, tensorboard=False, snapshots=False)
    trainer.subscribe(logger.handle)
    trainer.subscribe(CheckpointWriter(logger, trainer))
    trainer.subscribe(lambda e: trainer.stop() if isinstance(e, ev.EpochCompleted)
                      and e.epoch == stop_after else None)
    trainer.run()
    logger.close()
    resumed = build_session(session.spec)
    trainer = resumed.trainer(snapshot_every=0)
    restore_run(trainer, load_checkpoint(tmp_path))
    trainer.run()
    return resumed.model, trainer.step


def test_early_stopping_goes_on_counting_after_a_resume(tmp_path: Path) -> None:
    whole, steps = _spiral(tmp_path / "whole", None)
    assert steps == 5 * 38  # stopped early: 40 epochs were allowed
    resumed, resumed_steps = _spiral(tmp_path / "run", stop_after=4)  # one epoch of patience left
    assert resumed_steps == steps
    for a, b in zip(whole.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # epoch 3's, kept in the checkpoint


def test_a_learning_rate_a_callback_moved_is_resumed(tmp_path: Path) -> None:
    session = _session()
    trainer = session.trainer(snapshot_every=0)
    logger = RunLogger(tmp_path, tensorboard=False, snapshots=False)
    trainer.subscribe(logger.handle)
    trainer.subscribe(CheckpointWriter(logger, trainer))

    def reduce(event: ev.Event) -> None:  # as ReduceLROnPlateau does it: no event
        if isinstance(event, ev.EpochCompleted) and event.epoch == 1:
            trainer.model.optimizer.learning_rate = 0.0025
        if isinstance(event, ev.EpochCompleted) and event.epoch == 2:
            trainer.stop()

    trainer.subscribe(reduce)
    trainer.run()
    logger.close()
    fresh = _session().trainer(snapshot_every=0)
    restore_run(fresh, load_checkpoint(tmp_path))
    assert fresh.model.optimizer.learning_rate == pytest.approx(0.0025)
