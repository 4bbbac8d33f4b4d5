"""Trainer controls from another thread: pause, step, epoch, stop, learning rate; events."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.engine import events as ev
from nntui.engine.trainer import Trainer
from nntui.errors import ConfigError, TrainingDiverged


def _trainer(lr: float = 0.01, **kw) -> Trainer:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(8, activation="relu"),
                              layers.Dense(2, activation="softmax")], backend="numpy", seed=0)
    model.compile(optimizer=nntui.optimizers.SGD(lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return Trainer(model, x, y, batch_size=32, epochs=kw.pop("epochs", 50), seed=0, **kw)


def _start(trainer: Trainer) -> threading.Thread:
    t = threading.Thread(target=trainer.run, daemon=True)
    t.start()
    return t


def test_pause_step_epoch_and_stop_from_another_thread() -> None:
    trainer = _trainer()
    seen: list = []
    trainer.subscribe(seen.append)
    trainer.pause()
    thread = _start(trainer)
    assert trainer.wait_until_paused(5)
    assert trainer.step == 0
    trainer.step_once()
    assert trainer.wait_until_paused(5) and trainer.step == 1
    trainer.epoch_once()  # to the end of epoch 1: 8 batches of 32
    assert trainer.wait_until_paused(5) and trainer.step == 8
    trainer.set_learning_rate(0.5)
    assert trainer.model.optimizer.learning_rate == 0.5
    trainer.stop()
    thread.join(5)
    assert not thread.is_alive()
    kinds = [type(e).__name__ for e in seen]
    assert kinds[:2] == ["TrainingPaused", "TrainingStarted"] and kinds[-1] == "TrainingFinished"
    assert kinds.count("StepCompleted") == 8 and kinds.count("EpochCompleted") == 1
    assert "LearningRateChanged" in kinds and seen[-1].stopped_early


def test_bad_learning_rate_is_refused_and_the_old_one_kept() -> None:
    trainer = _trainer()
    with pytest.raises(ConfigError, match="learning_rate must be a positive number"):
        trainer.set_learning_rate(-1)
    assert trainer.model.optimizer.learning_rate == 0.01


def test_snapshots_carry_downsampled_weights_gradients_and_activations() -> None:
    trainer = _trainer(epochs=1, snapshot_every=4)
    snaps = []
    trainer.subscribe(lambda e: snaps.append(e) if isinstance(e, ev.SnapshotTaken) else None)
    trainer.run()
    assert [s.step for s in snaps] == [4, 8]
    first = snaps[0].layers[0]
    assert first.weights["kernel"].shape == (16,) and first.grads["kernel"].shape == (16,)
    assert first.activation is not None and 0.0 <= first.dead_fraction <= 1.0
    assert first.grad_norm > 0


def test_divergence_raises_in_headless_mode_and_pauses_in_the_app() -> None:
    trainer = _trainer(lr=1e30, epochs=3)
    events = []
    trainer.subscribe(events.append)
    with pytest.raises(TrainingDiverged, match="lower learning rate|learning rate"):
        trainer.run()
    assert any(isinstance(e, ev.TrainingDivergedEvent) for e in events)
    paused = _trainer(lr=1e30, epochs=3, on_divergence="pause")
    thread = _start(paused)
    assert paused.wait_until_paused(10) and paused.paused
    paused.stop()
    thread.join(5)


def test_snapshots_do_not_change_training() -> None:
    """Watching is free of side effects: the same seed gives the same weights either way."""
    quiet, watched = _trainer(epochs=3), _trainer(epochs=3, snapshot_every=3)
    quiet.run()
    watched.run()
    for a, b in zip(quiet.model.get_weights(), watched.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_watch_pace_spaces_the_steps_and_leaves_the_numbers_alone() -> None:
    """At 100 steps a second, 16 steps (2 epochs of 8) take at least 0.15 s of waits;
    the weights equal those of an unpaced run with the same seed."""
    import time

    fast, slow = _trainer(epochs=2), _trainer(epochs=2)
    slow.set_pace(100)
    fast.run()
    t0 = time.monotonic()
    slow.run()
    assert time.monotonic() - t0 >= 15 / 100
    assert slow.step == fast.step == 16
    for a, b in zip(fast.model.get_weights(), slow.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_stop_and_a_new_pace_act_during_a_long_pace_wait() -> None:
    trainer = _trainer(epochs=1)
    trainer.set_pace(0.2)  # one step every 5 s
    steps: list[int] = []
    trainer.subscribe(lambda e: steps.append(e.step) if isinstance(e, ev.StepCompleted) else 0)
    thread = _start(trainer)
    for _ in range(200):  # the first step runs at once
        if steps:
            break
        threading.Event().wait(0.01)
    trainer.set_pace(0)  # full speed: the 5 s wait ends within its 0.1 s slice
    trainer.pause()
    assert trainer.wait_until_paused(2)  # not the 5 s the old pace asked for
    trainer.set_pace(0.2)
    trainer.resume()
    trainer.stop()  # stop during the new wait
    thread.join(5)
    assert not thread.is_alive()


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "fast", True])
def test_bad_pace_is_refused(bad) -> None:
    with pytest.raises(ConfigError, match="watch pace must be a number of steps per second"):
        _trainer().set_pace(bad)


def test_position_is_exact_between_steps_and_restore_continues_the_same_epoch() -> None:
    """Stopped after batch 3 of epoch 2 (8 batches of 32): the position holds the epoch's
    own permutation and sums; a fresh trainer restored from it (and the model's state)
    ends like the uninterrupted one."""
    whole = _trainer(epochs=3)
    whole.run()
    first = _trainer(epochs=3)
    first.subscribe(lambda e: first.stop() if isinstance(e, ev.StepCompleted)
                    and e.step == 11 else None)
    first.run()
    pos = first.position()
    assert (pos.step, pos.epoch, pos.batch, pos.seen) == (11, 2, 3, 96)
    assert pos.order is not None and sorted(pos.order) == list(range(256))
    assert set(pos.sums) == {"loss", "accuracy"}
    rest = _trainer(epochs=3)
    rest.model.set_weights(first.model.get_weights())
    rest.model.optimizer.iterations = first.model.optimizer.iterations
    rest.rng.bit_generator.state = first.rng.bit_generator.state
    rest.restore(pos)
    epochs: list[ev.EpochCompleted] = []
    rest.subscribe(lambda e: epochs.append(e) if isinstance(e, ev.EpochCompleted) else None)
    rest.run()
    assert [e.epoch for e in epochs] == [2, 3] and rest.step == whole.step == 24
    assert [e.metrics for e in epochs] == [
        {k: v[i] for k, v in whole.history.history.items()} for i in (1, 2)]
    for a, b in zip(rest.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_restore_refuses_a_position_that_does_not_fit_the_data() -> None:
    from nntui.engine.trainer import Position

    with pytest.raises(ConfigError, match="not a permutation of the 256"):
        _trainer().restore(Position(3, 1, 3, 96, np.arange(100)))
    with pytest.raises(ConfigError, match="sample 999 of an epoch"):
        _trainer().restore(Position(3, 1, 3, 999, None))


def _snapshots(trainer: Trainer) -> list[ev.SnapshotTaken]:
    snaps: list[ev.SnapshotTaken] = []
    trainer.subscribe(lambda e: snaps.append(e) if isinstance(e, ev.SnapshotTaken) else None)
    return snaps


def _extras(model, x_val, y_val, *, step: int, fresh: bool) -> dict:
    """Panel data that says what it was computed from: the step and the model's weights."""
    return {"step": step, "fresh": fresh, "kernel": model.get_weights()[0].copy()}


def test_the_run_ends_with_a_fresh_snapshot_of_its_last_step_whatever_the_throttle() -> None:
    """The app throttles snapshots by time; a run must still end on the model's last state,
    with panel data computed from the final weights (the stale mlp-xor panels of issue 13)."""
    trainer = _trainer(epochs=3, snapshot_every=5, snapshot_interval=1e9, extras=_extras)
    snaps = _snapshots(trainer)
    trainer.run()
    assert trainer.step == 24
    assert [(s.step, s.fresh) for s in snaps] == [(5, False), (24, True)]
    last = snaps[-1]
    assert last.extras["step"] == 24 and last.extras["fresh"] and last.epoch == 3
    np.testing.assert_array_equal(last.extras["kernel"], trainer.model.get_weights()[0])
    sampled = last.layers[0].weights["kernel"]  # 16 values: not downsampled
    np.testing.assert_array_equal(sampled, trainer.model.get_weights()[0].reshape(-1))
    assert last.layers[0].activation is not None and last.layers[0].grad_norm > 0


def test_pause_step_and_epoch_each_end_on_a_fresh_snapshot_of_that_step() -> None:
    trainer = _trainer(snapshot_every=1000, snapshot_interval=1e9, extras=_extras)
    snaps = _snapshots(trainer)
    trainer.pause()
    thread = _start(trainer)
    assert trainer.wait_until_paused(5) and not snaps  # no step yet: nothing to show
    trainer.step_once()
    assert trainer.wait_until_paused(5) and trainer.step == 1
    assert [(s.step, s.fresh) for s in snaps] == [(1, True)]
    trainer.epoch_once()
    assert trainer.wait_until_paused(5) and trainer.step == 8
    assert snaps[-1].step == 8 and snaps[-1].fresh and snaps[-1].epoch == 1
    trainer.resume()
    while trainer.step < 20:
        threading.Event().wait(0.001)
    trainer.pause()  # arrives during a step: the loop settles before it waits
    assert trainer.wait_until_paused(5)
    assert snaps[-1].step == trainer.step and snaps[-1].fresh
    np.testing.assert_array_equal(snaps[-1].extras["kernel"], trainer.model.get_weights()[0])
    act = snaps[-1].layers[1].activation  # the last batch through today's weights
    assert act is not None and act.size == 32 * 2
    trainer.pause()
    trainer.resume()
    trainer.pause()  # no step in between: the fresh snapshot of this step stands
    assert trainer.wait_until_paused(5)
    count = len(snaps)
    trainer.stop()
    thread.join(5)
    assert len(snaps) == count  # stopping (quit, reset) takes none: nobody would see it


def test_a_second_snapshot_of_a_step_reuses_its_layers() -> None:
    """The extras of a snapshot may overwrite the layers' gradients (traced steps): the
    fresh snapshot of a step that already has one must not sample them again."""
    trainer = _trainer(epochs=1, snapshot_every=8, extras=_extras)  # step 8 is the last
    snaps = _snapshots(trainer)
    trainer.run()
    assert [(s.step, s.fresh) for s in snaps] == [(8, True)]
    first = trainer.snapshot()
    assert first.layers is snaps[0].layers and not first.fresh


def test_a_perceptron_snapshot_has_no_gradients_and_names_its_rule() -> None:
    from nntui.engine.perceptron import Perceptron

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    model = Perceptron(2, 0.1, seed=0)
    trainer = Trainer(model, x, (x[:, 0] > 0).astype(np.float32), batch_size=16, epochs=1,
                      snapshot_every=2)
    snaps = _snapshots(trainer)
    trainer.run()
    assert snaps and all(s.update_rule == "the perceptron rule" for s in snaps)
    layer = snaps[-1].layers[0]
    assert layer.grads == {} and np.isnan(layer.grad_norm) and layer.weights["kernel"].size == 2
    gd = _trainer(epochs=1, snapshot_every=4)
    gd_snaps = _snapshots(gd)
    gd.run()
    assert gd_snaps[-1].update_rule is None


def test_resume_and_step_after_the_end_do_nothing() -> None:
    """A run that ended while stepped (its last step came from n or e) is not resumed by
    a later space or n: nothing would run, and the trainer must stay idle."""
    trainer = _trainer(epochs=1)
    events: list = []
    trainer.subscribe(events.append)
    trainer.pause()
    thread = _start(trainer)
    trainer.epoch_once()  # the whole run
    thread.join(5)
    assert not thread.is_alive() and trainer.step == 8
    count = len(events)
    trainer.resume()
    trainer.step_once()
    assert trainer.wait_until_paused(0.1) and len(events) == count
