"""``set_random_seed``: a script that seeds once, as course notes do with Keras, gets the
same model and the same training twice; a model with its own seed is left alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

import nntui
from nntui import layers as L
from nntui.engine import seeding
from nntui.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_global_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeding, "_stream", None)  # restored after each test


def train_once() -> tuple[list[np.ndarray], list[float]]:
    x = np.random.rand(64, 3).astype(np.float32)  # the notes' own np.random data
    y = (x.sum(axis=1) > 1.5).astype(np.int64)
    model = nntui.Sequential([nntui.Input((3,)), L.Dense(8, activation="relu"),
                              L.Dropout(0.3), L.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    start = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    return start, history.history["loss"]


def test_seeding_once_makes_a_script_repeat_exactly() -> None:
    nntui.utils.set_random_seed(7)
    w1, loss1 = train_once()
    r1 = random.random()
    nntui.utils.set_random_seed(7)
    w2, loss2 = train_once()
    assert random.random() == r1
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    assert loss1 == loss2  # shuffling and dropout masks too
    w3, loss3 = train_once()  # the stream goes on: a second model is not a copy
    assert not np.array_equal(w1[0], w3[0])


def test_unseeded_runs_differ_and_an_own_seed_is_left_alone() -> None:
    a, b = train_once(), train_once()
    assert not np.array_equal(a[0][0], b[0][0])
    own = nntui.Sequential([nntui.Input((3,)), L.Dense(4)], seed=1).get_weights()[0]
    nntui.utils.set_random_seed(99)
    again = nntui.Sequential([nntui.Input((3,)), L.Dense(4)], seed=1).get_weights()[0]
    assert np.array_equal(own, again)


@pytest.mark.parametrize("bad", [-1, "x", None, 1.5])
def test_a_bad_seed_is_one_clear_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="seed"):
        nntui.utils.set_random_seed(bad)  # type: ignore[arg-type]
