"""Conv2D: finite-difference gradients, Keras's output shapes and numbers, clear errors."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers.conv import Conv2D
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer


@pytest.fixture(scope="module")
def keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _x(shape: tuple[int, ...], seed: int = 0, dtype: Any = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize(
    ("hwc", "filters", "kernel", "strides", "padding", "activation"),
    [
        ((5, 5, 1), 2, 3, 1, "valid", None),
        ((5, 6, 2), 3, 3, 1, "same", "tanh"),
        ((6, 5, 2), 2, 3, 2, "valid", "sigmoid"),
        ((5, 7, 2), 2, 3, 2, "same", None),
        ((4, 5, 3), 2, 1, 1, "valid", "elu"),
        ((5, 6, 2), 2, (2, 3), (2, 1), "same", "softplus"),
        ((4, 4, 2), 3, (2, 3), 2, "valid", None),
    ],
)
def test_conv_gradients_match_finite_differences(hwc: tuple[int, int, int], filters: int,
                                                 kernel: Any, strides: Any, padding: str,
                                                 activation: str | None) -> None:
    layer = build_layer(Conv2D(filters, kernel, strides, padding, activation=activation), hwc)
    assert_layer_gradients(layer, _x((2, *hwc)), tol=1e-6)


def test_conv_gradients_without_bias() -> None:
    layer = build_layer(Conv2D(2, 3, padding="same", use_bias=False), (4, 4, 2))
    assert list(layer.params) == ["kernel"]
    assert_layer_gradients(layer, _x((2, 4, 4, 2)), tol=1e-6)


SHAPE_CASES = [(size, kernel, stride, padding) for size in (1, 4, 5, 7, 28)
               for kernel in (1, 2, 3) for stride in (1, 2, 3) for padding in ("valid", "same")
               if not (padding == "valid" and kernel > size)]  # that one is an error (below)


@pytest.mark.parametrize(("size", "kernel", "stride", "padding"), SHAPE_CASES)
def test_conv_output_shape_follows_keras_rule(size: int, kernel: int, stride: int,
                                              padding: str) -> None:
    layer = build_layer(Conv2D(4, kernel, stride, padding), (size, size + 1, 2))
    if padding == "same":
        want = (math.ceil(size / stride), math.ceil((size + 1) / stride))
    else:
        want = ((size - kernel) // stride + 1, (size + 1 - kernel) // stride + 1)
    assert layer.output_shape == (*want, 4)
    out = layer.forward(_x((2, size, size + 1, 2)))
    assert out.shape == (2, *want, 4)


def test_conv_weights_have_keras_shapes_and_stay_float32() -> None:
    layer = build_layer(Conv2D(8, (3, 2)), (28, 28, 1), dtype="float32")
    assert layer.params["kernel"].shape == (3, 2, 1, 8)
    assert layer.params["bias"].shape == (8,)
    assert layer.count_params() == 3 * 2 * 8 + 8
    out = layer.forward(_x((2, 28, 28, 1), dtype=np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert layer.grads["kernel"].dtype == np.float32


def test_conv_records_pre_activation_and_feature_maps() -> None:
    layer = build_layer(Conv2D(3, 3, activation="relu"), (5, 5, 1))
    layer._trace = {}
    out = layer.forward(_x((2, 5, 5, 1)))
    layer.backward(np.ones_like(out))
    assert set(layer._trace) == {"z", "feature_maps", "grad_z"}
    np.testing.assert_array_equal(layer._trace["feature_maps"], out)
    np.testing.assert_array_equal(layer._trace["feature_maps"], np.maximum(layer._trace["z"], 0))


def test_conv_config_rebuilds_the_same_layer() -> None:
    layer = Conv2D(4, (2, 3), strides=2, padding="SAME", activation="relu", use_bias=False)
    config = layer.get_config()
    assert config["kernel_size"] == [2, 3] and config["strides"] == [2, 2]
    assert config["padding"] == "same"
    config.pop("name")
    again = Conv2D(**config)
    assert {k: v for k, v in again.get_config().items() if k != "name"} == config


# Keras parity -----------------------------------------------------------------
KERAS_CASES = [
    ((7, 7, 2), 3, 3, 1, "valid"),
    ((7, 7, 2), 3, 3, 1, "same"),
    ((7, 7, 2), 3, 3, 2, "same"),  # odd size, stride 2: TF pads 1 before, 1 after
    ((8, 8, 2), 3, 3, 2, "same"),  # even size, stride 2: TF pads 0 before, 1 after
    ((9, 6, 3), 4, (2, 3), (2, 1), "same"),
    ((9, 6, 3), 4, (2, 3), (3, 2), "valid"),
    ((5, 5, 1), 2, 4, 2, "same"),
]


def _keras_conv(keras: Any, layer: Conv2D, hwc: tuple[int, ...]) -> Any:
    kl = keras.layers.Conv2D(layer.filters, layer.kernel_size, strides=layer.strides,
                             padding=layer.padding, activation=layer.activation_name)
    kl.build((None, *hwc))
    kl.set_weights(layer.get_weights())
    return kl


@pytest.mark.parametrize(("hwc", "filters", "kernel", "strides", "padding"), KERAS_CASES)
def test_conv_matches_keras(keras: Any, hwc: tuple[int, int, int], filters: int, kernel: Any,
                            strides: Any, padding: str) -> None:
    layer = build_layer(Conv2D(filters, kernel, strides, padding, activation="relu"), hwc,
                        dtype="float32")
    x = _x((3, *hwc), dtype=np.float32)
    want = keras.ops.convert_to_numpy(_keras_conv(keras, layer, hwc)(x))
    np.testing.assert_allclose(layer.forward(x), want, atol=1e-5)


@pytest.mark.parametrize(("hwc", "filters", "kernel", "strides", "padding"), KERAS_CASES[2:5])
def test_conv_gradients_match_keras_autograd(keras: Any, hwc: tuple[int, int, int],
                                             filters: int, kernel: Any, strides: Any,
                                             padding: str) -> None:
    torch = pytest.importorskip("torch")
    if keras.backend.backend() != "torch":
        pytest.skip("autograd comparison written for Keras's torch backend")
    layer = build_layer(Conv2D(filters, kernel, strides, padding, activation="tanh"), hwc,
                        dtype="float32")
    kl = _keras_conv(keras, layer, hwc)
    x = _x((2, *hwc), dtype=np.float32)
    out = layer.forward(x)
    r = _x(out.shape, seed=5, dtype=np.float32)
    dx = layer.backward(r)
    xt = torch.tensor(x, requires_grad=True)
    (kl(xt) * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(layer.grads["kernel"], kl.kernel.value.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(layer.grads["bias"], kl.bias.value.grad.numpy(), atol=1e-4)


# errors -------------------------------------------------------------------------
def test_conv_rejects_flat_input_with_a_reshape_hint() -> None:
    layer = Conv2D(8, 3, name="conv_a")
    with pytest.raises(ShapeError) as info:
        build_layer(layer, (784,))
    msg = str(info.value)
    assert "conv_a" in msg and "784" in msg and "(N, 28, 28, 1)" in msg


def test_conv_rejects_a_kernel_larger_than_the_input() -> None:
    with pytest.raises(ShapeError) as info:
        build_layer(Conv2D(4, 5, name="conv_big"), (3, 8, 1))
    msg = str(info.value)
    assert "conv_big" in msg and "(5, 5)" in msg and "(3, 8)" in msg


def test_conv_same_padding_accepts_a_kernel_larger_than_the_input() -> None:
    layer = build_layer(Conv2D(2, 5, padding="same"), (3, 3, 1))
    assert layer.output_shape == (3, 3, 2)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"filters": 4, "kernel_size": 3, "padding": "full"}, ["'valid'", "'same'", "full"]),
        ({"filters": 0, "kernel_size": 3}, ["filters", "0"]),
        ({"filters": 4, "kernel_size": (3, 0)}, ["kernel_size", "(3, 0)"]),
        ({"filters": 4, "kernel_size": 3, "strides": (1, 2, 3)}, ["strides", "(1, 2, 3)"]),
        ({"filters": 4, "kernel_size": 3, "activation": "rleu"}, ["rleu", "relu"]),
    ],
)
def test_conv_rejects_bad_arguments(kwargs: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        Conv2D(**kwargs)
    for word in words:
        assert word in str(info.value)
