"""Same weights in nntui and Keras 3 give the same predictions and the same weights
after train_on_batch, for every optimizer and loss (Keras's defaults included)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import nntui  # noqa: E402
from nntui import layers  # noqa: E402

OPTIMIZERS = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("rmsprop", {}),
    ("rmsprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("adam", {}),
    ("adam", {"learning_rate": 0.01, "beta_1": 0.8}),
]
KERAS_OPT = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}
NNTUI_OPT = {"sgd": nntui.optimizers.SGD, "rmsprop": nntui.optimizers.RMSprop,
             "adam": nntui.optimizers.Adam}


def _pair(hidden_act: str, out_units: int, out_act: str | None, in_dim: int = 4):
    ours = nntui.Sequential([nntui.Input((in_dim,)), layers.Dense(6, activation=hidden_act),
                             layers.Dense(out_units, activation=out_act)], backend="numpy", seed=0)
    theirs = keras.Sequential([keras.Input((in_dim,)), keras.layers.Dense(6, activation=hidden_act),
                               keras.layers.Dense(out_units, activation=out_act)])
    ours.build()
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _data(loss: str, n: int = 16, k: int = 3):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    if loss == "mse":
        return x, rng.standard_normal((n, k)).astype(np.float32)
    if loss == "binary_crossentropy":
        return x, rng.integers(0, 2, (n, 1)).astype(np.float32)
    if loss == "categorical_crossentropy":
        return x, np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    return x, rng.integers(0, k, n)


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_train_on_batch_matches_keras_for_each_optimizer(name: str, kwargs: dict) -> None:
    ours, theirs = _pair("relu", 3, "softmax")
    ours.compile(optimizer=NNTUI_OPT[name](**kwargs), loss="sparse_categorical_crossentropy")
    theirs.compile(optimizer=getattr(keras.optimizers, KERAS_OPT[name])(**kwargs),
                   loss="sparse_categorical_crossentropy")
    x, y = _data("sparse")
    for _ in range(3):
        ours.train_on_batch(x, y)
        theirs.train_on_batch(x, y)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("loss,out_units,out_act", [
    ("mse", 3, None), ("binary_crossentropy", 1, "sigmoid"),
    ("categorical_crossentropy", 3, "softmax"), ("sparse_categorical_crossentropy", 3, "softmax"),
])
def test_loss_value_and_update_match_keras(loss: str, out_units: int, out_act) -> None:
    ours, theirs = _pair("tanh", out_units, out_act)
    ours.compile(optimizer=nntui.optimizers.SGD(0.1), loss=loss)
    theirs.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    x, y = _data(loss)
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    l_ours = ours.train_on_batch(x, y)
    l_theirs = theirs.train_on_batch(x, y)
    assert l_ours == pytest.approx(float(np.asarray(l_theirs)), rel=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "elu", "softplus", "linear",
                                 "leaky_relu", "softmax", "exponential"])
def test_activation_outputs_match_keras(act: str) -> None:
    ours, theirs = _pair(act, 2, None)
    x, _ = _data("mse")
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_leaky_relu_and_prelu_layers_match_keras() -> None:
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ours = nntui.Sequential([nntui.Input((4,)), layers.LeakyReLU(), layers.PReLU()], seed=0,
                            backend="numpy")
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.LeakyReLU(), keras.layers.PReLU()])
    ours.build()
    w = [np.full((4,), 0.25, np.float32)]
    ours.set_weights(w)
    theirs.set_weights(w)
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-6)


def test_regularizers_and_global_clipnorm_match_keras() -> None:
    ours = nntui.Sequential([nntui.Input((4,)), layers.Dense(
        5, activation="relu", kernel_regularizer=nntui.regularizers.L2(0.01)),
        layers.Dense(3, activation="softmax", kernel_regularizer=nntui.regularizers.L1(0.01))],
        backend="numpy", seed=0)
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
        5, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(3, activation="softmax",
                           kernel_regularizer=keras.regularizers.L1(0.01))])
    ours.build()
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=nntui.optimizers.Adam(0.01, global_clipnorm=0.5),
                 loss="sparse_categorical_crossentropy")
    theirs.compile(optimizer=keras.optimizers.Adam(0.01, global_clipnorm=0.5),
                   loss="sparse_categorical_crossentropy")
    x, y = _data("sparse")
    for _ in range(3):
        lo, lt = ours.train_on_batch(x, y), theirs.train_on_batch(x, y)
    assert lo == pytest.approx(float(np.asarray(lt)), rel=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
