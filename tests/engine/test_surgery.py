"""Surgery on a learning model: ablation, freezing, re-initialisation, dropout and L2,
checked against forward passes and penalties written out in NumPy here."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nntui.engine.commands import surgery
from nntui.engine.initializers import get_initializer
from nntui.engine.layers import Conv2D, Dense, Dropout, Flatten
from nntui.engine.model import Input, Sequential
from nntui.engine.surgery import Surgery, ablated_units
from nntui.engine.trainer import Trainer
from nntui.errors import ConfigError
from tests.engine.gradcheck import build_layer, layer_gradients, rel_error


def _data(n: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.int64)


def _mlp(optimizer: str = "sgd", dtype: str = "float64") -> Sequential:
    model = Sequential([Input((2,)), Dense(6, activation="tanh"), Dense(5, activation="relu"),
                        Dense(2, activation="softmax")], backend="numpy", seed=0, dtype=dtype)
    model.compile(optimizer, "sparse_categorical_crossentropy", ["accuracy"])
    return model


def _by_hand(model: Sequential, x: np.ndarray, off: tuple[int, int] | None) -> np.ndarray:
    """The MLP's forward pass in NumPy, unit ``off = (layer, unit)`` set to 0."""
    w = model.get_weights()
    h = np.tanh(x @ w[0] + w[1])
    if off is not None and off[0] == 0:
        h[:, off[1]] = 0.0
    h = np.maximum(h @ w[2] + w[3], 0.0)
    if off is not None and off[0] == 1:
        h[:, off[1]] = 0.0
    z = h @ w[4] + w[5]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("layer,index", [("dense", 0), ("dense_1", 1)])
def test_an_ablated_unit_outputs_zero_and_comes_back(layer: str, index: int) -> None:
    model, (x, _) = _mlp(), _data()
    before = model.predict(x)
    Surgery("ablate", layer, unit=2).apply(model)
    np.testing.assert_allclose(model.predict(x), _by_hand(model, x, (index, 2)), atol=1e-12)
    assert not np.allclose(model.predict(x), before)
    assert ablated_units(model.layers[index]) == [2]
    Surgery("restore", layer, unit=2).apply(model)
    np.testing.assert_allclose(model.predict(x), before, atol=1e-12)
    assert model.layers[index].unit_mask is None


def test_an_ablated_unit_neither_learns_nor_teaches_with_plain_sgd() -> None:
    model, (x, y) = _mlp(), _data()
    Surgery("ablate", "dense", unit=1).apply(model)
    w0 = model.get_weights()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    w1 = model.get_weights()
    np.testing.assert_array_equal(w1[0][:, 1], w0[0][:, 1])  # its incoming weights
    np.testing.assert_array_equal(w1[1][1], w0[1][1])  # its bias
    np.testing.assert_array_equal(w1[2][1], w0[2][1])  # its outgoing weights
    assert not np.allclose(w1[0][:, 0], w0[0][:, 0])  # its neighbours learn


@pytest.mark.parametrize("layer", [Dense(4, activation="sigmoid"),
                                   Conv2D(3, 2, activation="relu")])
def test_masked_gradients_agree_with_finite_differences(layer: object) -> None:
    shape = (5,) if isinstance(layer, Dense) else (4, 4, 2)
    build_layer(layer, shape)
    mask = np.ones(4 if isinstance(layer, Dense) else 3)
    mask[1] = 0.0
    layer.unit_mask = layer.ops.asarray(mask)
    x = np.random.default_rng(3).normal(size=(3, *shape))
    for name, (analytic, numeric) in layer_gradients(layer, x).items():
        assert rel_error(analytic, numeric) < 1e-6, name
    out = layer.ops.to_numpy(layer.forward(layer.ops.asarray(x)))
    assert np.all(out[..., 1] == 0.0)


def test_a_frozen_layer_keeps_its_weights_until_unfrozen() -> None:
    model, (x, y) = _mlp(), _data()
    Surgery("freeze", "dense_1").apply(model)
    w0 = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    w1 = model.get_weights()
    np.testing.assert_array_equal(w1[2], w0[2])
    np.testing.assert_array_equal(w1[3], w0[3])
    assert not np.allclose(w1[0], w0[0]) and not np.allclose(w1[4], w0[4])
    Surgery("unfreeze", "dense_1").apply(model)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(model.get_weights()[2], w1[2])


def test_reinitialise_draws_the_layers_initialiser_and_forgets_its_optimizer_slots() -> None:
    model, (x, y) = _mlp("adam"), _data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert "dense_1/kernel" in model.optimizer.state
    event = Surgery("reinitialise", "dense_1", seed=7).apply(model, step=6, epoch=1)
    expected = get_initializer("glorot_uniform")((6, 5), np.random.default_rng(7))
    np.testing.assert_allclose(model.get_weights()[2], expected)
    np.testing.assert_array_equal(model.get_weights()[3], np.zeros(5))
    assert "dense_1/kernel" not in model.optimizer.state
    assert "dense/kernel" in model.optimizer.state
    assert (event.step, event.action, event.seed) == (6, "reinitialise", 7)


def test_dropout_is_added_after_hidden_layers_then_its_rate_changes() -> None:
    model, (x, _) = _mlp(), _data()
    before = model.predict(x)
    text = Surgery("dropout", value=0.5, seed=1).apply(model).text
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert "dense, dense_1" in text
    np.testing.assert_allclose(model.predict(x), before)  # inference: no dropout
    ops = model.ops
    trained = ops.to_numpy(model.layers[1].forward(ops.asarray(np.ones((400, 6))), True))
    assert 0.4 < np.mean(trained == 0) < 0.6 and set(np.unique(trained)) == {0.0, 2.0}
    Surgery("dropout", value=0.1).apply(model)
    assert [ly.rate for ly in model.layers if isinstance(ly, Dropout)] == [0.1, 0.1]


def test_l2_changes_the_penalty_in_the_loss() -> None:
    model, (x, y) = _mlp(), _data()
    plain = model.evaluate(x, y, return_dict=True)["loss"]
    Surgery("l2", value=0.01).apply(model)
    w = model.get_weights()
    penalty = 0.01 * sum(float(np.sum(k ** 2)) for k in w[0::2])
    assert model.evaluate(x, y, return_dict=True)["loss"] == pytest.approx(plain + penalty)
    Surgery("l2", value=0.0).apply(model)
    assert model.evaluate(x, y, return_dict=True)["loss"] == pytest.approx(plain)


@pytest.mark.parametrize("change,message", [
    (Surgery("ablate", "dense_2", unit=0), "output layer"),
    (Surgery("ablate", "dense", unit=6), "unit must be from 0 to 5"),
    (Surgery("freeze", "nope"), "layer must be one of flatten, dense, dense_1, dense_2"),
    (Surgery("dropout", value=1.0), "dropout rate"),
    (Surgery("explode"), "action must be one of"),
    (Surgery("ablate", "flatten", unit=0), "no units"),
])
def test_bad_surgery_is_one_clear_error(change: Surgery, message: str) -> None:
    model = _mlp()
    model.layers.insert(0, Flatten(name="flatten"))
    with pytest.raises(ConfigError, match=message):
        change.apply(model)


def test_a_conv_filter_switched_off_gives_an_empty_feature_map() -> None:
    model = Sequential([Input((6, 6, 1)), Conv2D(4, 3, activation="relu"), Flatten(),
                        Dense(2, activation="softmax")], backend="numpy", seed=0)
    x = np.random.default_rng(0).random((2, 6, 6, 1)).astype(np.float32)
    Surgery("ablate", "conv2d", unit=1).apply(model)
    model.record_outputs = True
    model.forward(model.ops.asarray(x))
    maps = model.ops.to_numpy(model.layer_outputs[0])
    assert np.all(maps[..., 1] == 0) and np.any(maps[..., 0] != 0)


def test_the_trainer_applies_submitted_surgery_between_steps_and_while_paused() -> None:
    model, (x, y) = _mlp("adam", "float32"), _data()
    trainer = Trainer(model, x, y, batch_size=8, epochs=1000)
    seen: list[object] = []
    trainer.subscribe(seen.append)
    thread = threading.Thread(target=trainer.run)
    thread.start()
    try:
        event = trainer.submit(surgery(Surgery("ablate", "dense", unit=0))).result(5)
        assert event.step >= 0 and ablated_units(model.layers[0]) == [0]
        trainer.pause()
        assert trainer.wait_until_paused()
        step = trainer.step
        event = trainer.submit(surgery(Surgery("freeze", "dense_1"))).result(5)
        assert event.step == step and not model.layers[1].trainable
        refused = trainer.submit(surgery(Surgery("ablate", "dense", unit=99)))
        with pytest.raises(ConfigError):
            refused.result(5)
    finally:
        trainer.stop()
        thread.join(10)
    assert [e.text for e in seen if type(e).__name__ == "ModelChanged"] == [
        "switched off unit 1 of dense", "froze dense_1"]
    after = trainer.submit(surgery(Surgery("unfreeze", "dense_1"))).result(0)  # run ended
    assert after.text == "unfroze dense_1" and model.layers[1].trainable


def test_a_change_after_the_run_ended_is_made_at_once_and_snapshotted() -> None:
    model, (x, y) = _mlp("adam", "float32"), _data()
    trainer = Trainer(model, x, y, batch_size=32, epochs=1, snapshot_every=2)
    seen: list[object] = []
    trainer.run()
    trainer.subscribe(seen.append)
    event = trainer.submit(surgery(Surgery("ablate", "dense_1", unit=4))).result(0)
    assert event.step == trainer.step and ablated_units(model.layers[1]) == [4]
    assert [type(e).__name__ for e in seen] == ["ModelChanged", "SnapshotTaken"]
    assert seen[1].step == trainer.step  # type: ignore[attr-defined]
