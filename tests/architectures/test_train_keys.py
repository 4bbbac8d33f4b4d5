"""The [train] keys for Keras's schedules and early stopping: presets and ``--set`` use them,
and each step's logged rate (what the status line shows) is the scheduled one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntui.architectures.session import build_session
from nntui.engine import events as ev
from nntui.errors import ConfigError
from nntui.presets import load_preset

TINY = ["dataset.n_samples=128", "train.batch_size=32", "train.snapshot_every=0"]


def test_exponential_schedule_reaches_every_step_and_the_log() -> None:
    spec = load_preset("mlp-xor", [*TINY, "train.epochs=2", "train.learning_rate=0.02",
                                   "train.lr_schedule='exponential'", "train.lr_decay_steps=2",
                                   "train.lr_decay_rate=0.5"])
    trainer = build_session(spec).trainer(on_divergence="raise")
    rates: list[float] = []
    trainer.subscribe(lambda e: rates.append(e.learning_rate)
                      if isinstance(e, ev.StepCompleted) else None)
    trainer.run()
    want = [0.02 * 0.5 ** (k / 2) for k in range(len(rates))]  # Keras's ExponentialDecay
    assert len(rates) >= 4
    np.testing.assert_allclose(rates, want, rtol=1e-12)


def test_early_stopping_key_stops_and_restores_the_best_weights() -> None:
    # a rate far below float32 resolution: the weights never move, val_loss never improves
    spec = load_preset("mlp-xor", [*TINY, "train.epochs=50", "train.learning_rate=1e-30",
                                   "train.early_stopping=2"])
    session = build_session(spec)
    trainer = session.trainer(on_divergence="raise")
    history = trainer.run()
    assert history.epoch == [0, 1, 2]  # best at epoch 0, then two epochs without improvement


@pytest.mark.parametrize("override,match", [
    ("train.lr_schedule='linear'", r"train.lr_schedule must be one of constant, exponential"),
    ("train.early_stopping=-1", r"train.early_stopping must be >= 0"),
    ("train.lr_decay_steps=0", r"train.lr_decay_steps must be >= 1"),
])
def test_bad_train_keys_are_named(override: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_preset("mlp-xor", [override])


def test_cosine_schedule_ends_at_zero_after_its_steps() -> None:
    from nntui.architectures.building import learning_rate

    spec = load_preset("mlp-xor", ["train.lr_schedule='cosine'", "train.lr_decay_steps=10",
                                   "train.learning_rate=0.1"])
    schedule = learning_rate(spec)
    assert schedule(0) == pytest.approx(0.1)
    assert schedule(5) == pytest.approx(0.05)
    assert schedule(10) == pytest.approx(0.0, abs=1e-12) and not math.isnan(schedule(20))
