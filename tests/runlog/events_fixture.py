"""A small, deterministic event stream like the trainer's: 2 epochs x 3 steps."""

from __future__ import annotations

import numpy as np

from nntui.engine.events import (
    EpochCompleted,
    Event,
    LayerSnapshot,
    SnapshotTaken,
    StepCompleted,
    TrainingFinished,
    TrainingStarted,
)

CONFIG = {
    "architecture": "mlp",
    "dataset": {"name": "spiral", "samples": 300, "noise": 0.1},
    "layers": [{"type": "Dense", "units": 16, "activation": "relu"}, {"units": 3}],
    "optimizer": {"name": "adam", "learning_rate": 0.01, "betas": [0.9, 0.999]},
    "batch_size": 32,
    "epochs": 2,
    "seed": 7,
    "metrics": ["accuracy"],
}
STEPS_PER_EPOCH = 3


def snapshot(step: int, epoch: int) -> SnapshotTaken:
    rng = np.random.default_rng(step)
    layer = LayerSnapshot(
        name="dense",
        kind="Dense",
        weights={"kernel": rng.normal(size=(2, 4)), "bias": np.arange(4.0)},
        grads={"kernel": rng.normal(scale=0.1, size=(2, 4)), "bias": np.full(4, 0.5)},
        activation=rng.uniform(size=(5, 4)),
        grad_norm=0.25 * step,
        dead_fraction=0.125,
    )
    return SnapshotTaken(step=step, epoch=epoch, layers=(layer,))


def event_stream() -> list[Event]:
    """TrainingStarted, 3 steps, epoch 1 (with val metrics), snapshot, 3 steps,
    epoch 2, snapshot, TrainingFinished."""
    events: list[Event] = [
        TrainingStarted("mlp-spiral", "numpy", 2, STEPS_PER_EPOCH, config=CONFIG)
    ]
    step = 0
    for epoch in (1, 2):
        for batch in range(1, STEPS_PER_EPOCH + 1):
            step += 1
            events.append(
                StepCompleted(
                    step=step,
                    epoch=epoch,
                    batch=batch,
                    metrics={"loss": 1.0 / step, "accuracy": step / 10},
                    learning_rate=0.01 / epoch,
                    samples_per_second=1000.0 + step,
                    elapsed=step / 10,
                )
            )
        events.append(
            EpochCompleted(
                epoch=epoch,
                step=step,
                metrics={"loss": 0.5 / epoch, "accuracy": 3 * epoch / 10, "val_loss": 0.6 / epoch},
                elapsed=(10 * step + 5) / 100,
            )
        )
        events.append(snapshot(step, epoch))
    events.append(TrainingFinished(step=step, epoch=2, metrics={"loss": 0.25}))
    return events
