"""Bad input gets a clear error naming the layer, the shapes or the valid choices."""

from __future__ import annotations

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.errors import ConfigError, ShapeError


def test_dense_fed_images_without_flatten_names_layer_and_shape() -> None:
    model = nntui.Sequential([nntui.Input((28, 28, 1)), layers.Dense(10, name="head")])
    with pytest.raises(ShapeError, match=r"Dense layer 'head'.*\(batch, 28, 28, 1\).*Flatten"):
        model.build()


def test_unknown_activation_lists_valid_ones_and_suggests() -> None:
    with pytest.raises(ConfigError, match=r"unknown activation 'rleu'.*relu.*Did you mean 'relu'"):
        layers.Dense(3, activation="rleu")


def test_unknown_optimizer_and_loss() -> None:
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(1)])
    with pytest.raises(ConfigError, match=r"unknown optimizer 'adma'.*Did you mean 'adam'"):
        model.compile(optimizer="adma", loss="mse")
    with pytest.raises(ConfigError, match=r"unknown loss 'mae_loss'"):
        model.compile(optimizer="adam", loss="mae_loss")


def test_units_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"units must be a positive integer. Received: units=0"):
        layers.Dense(0)


def test_set_weights_with_wrong_shapes_names_layer() -> None:
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(3, name="d1")])
    model.build()
    with pytest.raises(ShapeError,
                       match=r"'d1' weight 'kernel' has shape \(2, 3\), received \(3, 2\)"):
        model.set_weights([np.zeros((3, 2)), np.zeros(3)])
    with pytest.raises(ShapeError, match=r"has 2 weight arrays, received 1"):
        model.set_weights([np.zeros((2, 3))])


@pytest.mark.parametrize("loss,y,match", [
    ("sparse_categorical_crossentropy", np.array([0, 1, 5, 2]), r"integers in \[0, 2\]"),
    ("categorical_crossentropy", np.array([0, 1, 2, 2]), r"one-hot labels.*sparse_categorical"),
    ("binary_crossentropy", np.array([0, 1, 2, 1]), r"labels in \[0, 1\]"),
    ("sparse_categorical_crossentropy", np.zeros((4, 3)), r"integer labels of shape \(4,\)"),
])
def test_labels_that_do_not_match_the_loss(loss: str, y: np.ndarray, match: str) -> None:
    units, act = (1, "sigmoid") if loss == "binary_crossentropy" else (3, "softmax")
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(units, activation=act)])
    model.compile(optimizer="adam", loss=loss)
    with pytest.raises(ShapeError, match=match):
        model.fit(np.zeros((4, 2)), y, verbose=0)


def test_input_shape_mismatch_and_non_numeric_data() -> None:
    model = nntui.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ShapeError,
                       match=r"expects inputs of shape \(batch, 3\) but x has shape \(4, 5\)"):
        model.fit(np.zeros((4, 5)), np.zeros((4, 2)), verbose=0)
    with pytest.raises(ShapeError, match="must hold numbers"):
        model.predict(np.array([["a", "b", "c"]]))


def test_training_before_compile() -> None:
    model = nntui.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ConfigError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)
