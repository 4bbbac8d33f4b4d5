"""Learning-rate schedules: Keras 3 is the oracle for every schedule's rate per step and
for an optimizer that follows one (step k uses schedule(k))."""

from __future__ import annotations

import os

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.errors import ConfigError
from nntui.optimizers import schedules

os.environ.setdefault("KERAS_BACKEND", "torch")

CASES = [
    ("ExponentialDecay", (0.1,), {"decay_steps": 7, "decay_rate": 0.5}),
    ("ExponentialDecay", (0.1,), {"decay_steps": 7, "decay_rate": 0.5, "staircase": True}),
    ("InverseTimeDecay", (0.2,), {"decay_steps": 3, "decay_rate": 0.7}),
    ("InverseTimeDecay", (0.2,), {"decay_steps": 3, "decay_rate": 0.7, "staircase": True}),
    ("PiecewiseConstantDecay", ([5, 12],), {"values": [0.3, 0.1, 0.01]}),
    ("CosineDecay", (0.1,), {"decay_steps": 20}),
    ("CosineDecay", (0.1,), {"decay_steps": 20, "alpha": 0.2}),
    ("CosineDecay", (0.0,), {"decay_steps": 20, "warmup_target": 0.1, "warmup_steps": 8}),
]


def _keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend")
    return keras


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_rate_per_step_matches_keras(name: str, args: tuple, kwargs: dict) -> None:
    keras = _keras()
    ours = getattr(schedules, name)(*args, **kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    for step in range(40):
        want = float(keras.ops.convert_to_numpy(theirs(step)))
        # Keras computes in float32: absolute agreement to its resolution at 0.1 (~1e-8)
        assert ours(step) == pytest.approx(want, rel=1e-6, abs=2e-8), step


def test_sgd_with_a_schedule_takes_keras_steps() -> None:
    keras = _keras()
    ours = nntui.Sequential([nntui.Input((3,)), layers.Dense(4, activation="tanh"),
                             layers.Dense(1)], seed=0, backend="numpy")
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                               keras.layers.Dense(1)])
    theirs.set_weights(ours.get_weights())
    kw = {"decay_steps": 2, "decay_rate": 0.3}
    ours.compile(optimizer=nntui.optimizers.SGD(schedules.ExponentialDecay(0.2, **kw),
                                                momentum=0.5), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(
        keras.optimizers.schedules.ExponentialDecay(0.2, **kw), momentum=0.5), loss="mse")
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = rng.standard_normal((8, 3)).astype(np.float32)
        y = rng.standard_normal((8, 1)).astype(np.float32)
        ours.train_on_batch(x, y)
        theirs.train_on_batch(x, y)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ours.optimizer.learning_rate == pytest.approx(
        float(keras.ops.convert_to_numpy(theirs.optimizer.learning_rate)), rel=1e-6)


def test_each_step_logs_the_rate_it_used() -> None:
    model = nntui.Sequential([nntui.Input((1,)), layers.Dense(1)], seed=0)
    schedule = schedules.PiecewiseConstantDecay([1, 2], [0.3, 0.2, 0.1])
    model.compile(optimizer=nntui.optimizers.SGD(schedule), loss="mse")
    rates: list[float] = []

    def keep(event: object) -> None:
        if type(event).__name__ == "StepCompleted":
            rates.append(event.learning_rate)  # type: ignore[attr-defined]

    model.fit(np.zeros((4, 1)), np.zeros(4), batch_size=1, verbose=0, callbacks=[keep])
    assert rates == [0.3, 0.3, 0.2, 0.1]  # steps 0..3: step <= 1 -> 0.3, <= 2 -> 0.2, then 0.1


def test_a_schedule_survives_the_optimizer_config() -> None:
    opt = nntui.optimizers.Adam(schedules.CosineDecay(0.1, 10, alpha=0.1))
    again = nntui.optimizers.get_optimizer(opt.get_config())
    opt.iterations = again.iterations = 4
    assert again.learning_rate == opt.learning_rate != 0.1


@pytest.mark.parametrize("make,match", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), r"decay_steps.*Received: decay_steps=0"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1]), "boundaries should be 1 less"),
    (lambda: nntui.optimizers.SGD(learning_rate="fast"), r"Received: 'fast'"),
])
def test_bad_schedule_arguments_are_named(make, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()
