"""Dense, activations and PReLU: finite-difference gradients in float64."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers import get_layer_class
from tests.engine.gradcheck import assert_layer_gradients, build_layer

ACTS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "softmax",
        "exponential"]


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
def test_dense_gradients(act: str, shape: tuple[int, ...]) -> None:
    layer = build_layer(get_layer_class("Dense")(5, activation=act), shape[1:])
    x = np.random.default_rng(0).standard_normal(shape) + 0.01  # keep away from ReLU's kink
    assert_layer_gradients(layer, x)


@pytest.mark.parametrize("name,kwargs", [
    ("Activation", {"activation": "tanh"}), ("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.1}),
    ("ELU", {"alpha": 0.5}), ("Softmax", {}), ("PReLU", {"alpha_initializer": "random_normal"}),
    ("PReLU", {"alpha_initializer": "random_normal", "shared_axes": [1]}),
])
def test_activation_layer_gradients(name: str, kwargs: dict) -> None:
    layer = build_layer(get_layer_class(name)(**kwargs), (3, 4))
    x = np.random.default_rng(1).standard_normal((2, 3, 4)) + 0.01
    assert_layer_gradients(layer, x)


def test_binary_step_outputs_and_zero_gradient() -> None:
    layer = build_layer(get_layer_class("Activation")("binary_step"), (3,))
    x = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.forward(x), [[0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), np.zeros((1, 3)))


def test_dropout_scales_kept_units_and_passes_gradient_through_mask() -> None:
    layer = build_layer(get_layer_class("Dropout")(0.5, seed=3), (1000,))
    x = np.ones((4, 1000))
    out = layer.forward(x, training=True)
    kept = out != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(out[kept], 2.0)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), out)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


def test_flatten_reshape_round_trip() -> None:
    f = build_layer(get_layer_class("Flatten")(), (2, 3, 4))
    x = np.arange(48.0).reshape(2, 2, 3, 4)
    assert f.forward(x).shape == (2, 24)
    np.testing.assert_array_equal(f.backward(f.forward(x)), x)
    r = build_layer(get_layer_class("Reshape")((4, -1)), (12,))
    assert r.output_shape == (4, 3)
