"""Snapshot sampling: at most MAX_SNAPSHOT_VALUES of each array, the same positions at
every snapshot of a run, and the gradient norm of the whole gradients."""

from __future__ import annotations

import numpy as np

import nntui
from nntui import layers
from nntui.engine import events as ev
from nntui.engine.snapshots import MAX_SNAPSHOT_VALUES, sample_layers
from nntui.engine.trainer import Trainer


def _model() -> nntui.Sequential:
    m = nntui.Sequential([nntui.Input((64,)), layers.Dense(96, activation="relu"),
                          layers.Dense(3, activation="softmax")], backend="numpy", seed=0)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m


def test_large_arrays_are_sampled_at_the_same_positions_every_snapshot() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 64)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    model = _model()
    trainer = Trainer(model, x, y, batch_size=16, epochs=2, seed=0, snapshot_every=2)
    kernels: list[np.ndarray] = []
    taken: list[ev.SnapshotTaken] = []

    def keep(e: ev.Event) -> None:
        if isinstance(e, ev.SnapshotTaken):
            taken.append(e)
            kernels.append(np.array(model.layers[0].params["kernel"]).reshape(-1))

    trainer.subscribe(keep)
    trainer.run()
    assert len(taken) == 4 and 64 * 96 > MAX_SNAPSHOT_VALUES
    where = []
    for snap, kernel in zip(taken, kernels, strict=True):
        sampled = snap.layers[0].weights["kernel"]
        assert sampled.shape == (MAX_SNAPSHOT_VALUES,)
        # each sampled value is the kernel's value at one position, none taken twice
        pos = [int(np.flatnonzero(kernel == v)[0]) for v in sampled]
        assert len(set(pos)) == MAX_SNAPSHOT_VALUES
        where.append(pos)
    assert all(w == where[0] for w in where)  # the weights changed, the positions did not
    assert not np.array_equal(taken[0].layers[0].weights["kernel"],
                              taken[-1].layers[0].weights["kernel"])
    small = taken[0].layers[1].weights["bias"]
    assert small.shape == (3,)  # small arrays whole


def test_the_gradient_norm_is_of_every_gradient_value() -> None:
    rng = np.random.default_rng(2)
    model = _model()
    x = rng.standard_normal((32, 64)).astype(np.float32)
    model.train_step(x, rng.integers(0, 3, 32))
    layer = model.layers[0]
    want = np.sqrt(sum(np.sum(np.asarray(g, np.float64) ** 2) for g in layer.grads.values()))
    got = sample_layers(model, np.random.default_rng(0))[0].grad_norm
    np.testing.assert_allclose(got, want, rtol=1e-5)
