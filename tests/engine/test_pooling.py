"""MaxPooling2D and AveragePooling2D: gradients, shapes, Keras parity, ties, 'same' averaging."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers.pooling import AveragePooling2D, MaxPooling2D
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer

POOLS = [MaxPooling2D, AveragePooling2D]


@pytest.fixture(scope="module")
def keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _x(shape: tuple[int, ...], seed: int = 0, dtype: Any = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _reference(x: np.ndarray, pool: tuple[int, int], strides: tuple[int, int], padding: str,
               reduce: Any) -> np.ndarray:
    """Pooling by plain loops over output pixels, TF's rule: windows see real pixels only."""
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = math.ceil(h / strides[0]), math.ceil(w / strides[1])
        top = max((oh - 1) * strides[0] + pool[0] - h, 0) // 2
        left = max((ow - 1) * strides[1] + pool[1] - w, 0) // 2
    else:
        oh, ow = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        top = left = 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1], :]
            out[:, i, j, :] = reduce(win, axis=(1, 2))
    return out


GRAD_CASES = [
    ((4, 4, 2), 2, None, "valid"),
    ((5, 7, 2), 2, None, "valid"),  # the last row/column belongs to no window
    ((5, 7, 2), 2, None, "same"),
    ((5, 5, 1), 3, 1, "valid"),  # overlapping windows
    ((5, 6, 2), 3, 2, "same"),
    ((5, 7, 2), (2, 3), (1, 2), "same"),
    ((6, 6, 1), 2, 3, "valid"),  # gaps between windows
]


@pytest.mark.parametrize("cls", POOLS)
@pytest.mark.parametrize(("hwc", "pool", "strides", "padding"), GRAD_CASES)
def test_pooling_gradients_match_finite_differences(cls: Any, hwc: tuple[int, int, int],
                                                    pool: Any, strides: Any,
                                                    padding: str) -> None:
    layer = build_layer(cls(pool, strides, padding), hwc)
    assert_layer_gradients(layer, _x((2, *hwc)), tol=1e-6)


@pytest.mark.parametrize(("cls", "reduce"), [(MaxPooling2D, np.max), (AveragePooling2D, np.mean)])
@pytest.mark.parametrize(("hwc", "pool", "strides", "padding"), GRAD_CASES)
def test_pooling_matches_a_loop_reference(cls: Any, reduce: Any, hwc: tuple[int, int, int],
                                          pool: Any, strides: Any, padding: str) -> None:
    layer = build_layer(cls(pool, strides, padding), hwc)
    x = _x((2, *hwc))
    want = _reference(x, layer.pool_size, layer.strides, padding, reduce)
    np.testing.assert_allclose(layer.forward(x), want, rtol=1e-12, atol=1e-12)


def test_average_same_padding_divides_by_real_pixels_only() -> None:
    layer = build_layer(AveragePooling2D(2, padding="same"), (3, 3, 1))
    out = layer.forward(np.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(out, np.ones((1, 2, 2, 1)))  # edge windows hold 2 or 1 pixel


SHAPE_CASES = [(size, pool, stride, padding) for size in (1, 2, 5, 7, 28)
               for pool, stride in ((2, None), (3, 2), (2, 1), (3, 3))
               for padding in ("valid", "same")
               if not (padding == "valid" and pool > size)]  # that one is an error (below)


@pytest.mark.parametrize("cls", POOLS)
@pytest.mark.parametrize(("size", "pool", "stride", "padding"), SHAPE_CASES)
def test_pooling_output_shape_follows_keras_rule(cls: Any, size: int, pool: int,
                                                 stride: int | None, padding: str) -> None:
    s = stride or pool
    layer = build_layer(cls(pool, stride, padding), (size, size + 1, 3))
    if padding == "same":
        want = (math.ceil(size / s), math.ceil((size + 1) / s))
    else:
        want = ((size - pool) // s + 1, (size + 1 - pool) // s + 1)
    assert layer.output_shape == (*want, 3)
    assert layer.forward(_x((2, size, size + 1, 3))).shape == (2, *want, 3)


def test_max_pooling_gives_a_tie_to_the_first_element_only() -> None:
    layer = build_layer(MaxPooling2D(2), (4, 4, 1))
    x = np.zeros((1, 4, 4, 1))  # every window is a four-way tie, as after ReLU
    x[0, 3, 3, 0] = 1.0
    dx = layer.backward(np.ones_like(layer.forward(x)))
    want = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], float)
    np.testing.assert_array_equal(dx[0, :, :, 0], want)


def test_max_pooling_records_which_input_won() -> None:
    layer = build_layer(MaxPooling2D((2, 3)), (2, 6, 2))
    x = np.zeros((1, 2, 6, 2))
    x[0, 1, 2, 0] = 5.0  # window 0, slot u*3 + v = 1*3 + 2 = 5
    x[0, 0, 4, 1] = 5.0  # window 1, slot 0*3 + 1 = 1
    layer._trace = {}
    layer.forward(x)
    np.testing.assert_array_equal(layer._trace["argmax"][0, 0], [[5, 0], [0, 1]])


def test_pooling_stays_float32() -> None:
    for cls in POOLS:
        layer = build_layer(cls(3, 2, "same"), (7, 7, 2), dtype="float32")
        out = layer.forward(_x((2, 7, 7, 2), dtype=np.float32))
        assert out.dtype == np.float32
        assert layer.backward(np.ones_like(out)).dtype == np.float32


# Keras parity -----------------------------------------------------------------
KERAS_CASES = [
    ((8, 8, 3), 2, None, "valid"),
    ((7, 9, 3), 2, None, "valid"),
    ((7, 9, 3), 2, None, "same"),  # uneven padding: averages over real pixels only
    ((7, 7, 2), 3, 2, "same"),  # symmetric padding
    ((8, 8, 2), 3, 1, "same"),
    ((9, 6, 2), (2, 3), (2, 1), "valid"),
]


@pytest.mark.parametrize("name", ["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize(("hwc", "pool", "strides", "padding"), KERAS_CASES)
def test_pooling_matches_keras(keras: Any, name: str, hwc: tuple[int, int, int], pool: Any,
                               strides: Any, padding: str) -> None:
    cls = MaxPooling2D if name == "MaxPooling2D" else AveragePooling2D
    layer = build_layer(cls(pool, strides, padding), hwc, dtype="float32")
    x = _x((3, *hwc), dtype=np.float32)
    kl = getattr(keras.layers, name)(pool, strides, padding)
    want = keras.ops.convert_to_numpy(kl(x))
    np.testing.assert_allclose(layer.forward(x), want, atol=1e-5)


def test_max_pooling_tie_gradient_matches_keras(keras: Any) -> None:
    torch = pytest.importorskip("torch")
    if keras.backend.backend() != "torch":
        pytest.skip("autograd comparison written for Keras's torch backend")
    x = np.maximum(_x((2, 6, 6, 2), dtype=np.float32), 0)  # ReLU output: many zero ties
    layer = build_layer(MaxPooling2D(2), (6, 6, 2), dtype="float32")
    r = _x((2, 3, 3, 2), seed=3, dtype=np.float32)
    layer.forward(x)
    xt = torch.tensor(x, requires_grad=True)
    (keras.layers.MaxPooling2D(2)(xt) * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(layer.backward(r), xt.grad.numpy(), atol=1e-6)


# errors -------------------------------------------------------------------------
@pytest.mark.parametrize("cls", POOLS)
def test_pooling_rejects_flat_input_with_a_reshape_hint(cls: Any) -> None:
    with pytest.raises(ShapeError) as info:
        build_layer(cls(2, name="pool_a"), (28, 28))
    msg = str(info.value)
    assert "pool_a" in msg and "28, 28" in msg and "(N, 28, 28, 1)" in msg


@pytest.mark.parametrize("cls", POOLS)
def test_pooling_rejects_a_window_larger_than_the_input(cls: Any) -> None:
    with pytest.raises(ShapeError) as info:
        build_layer(cls(3, name="pool_big"), (2, 5, 4))
    msg = str(info.value)
    assert "pool_big" in msg and "(3, 3)" in msg and "(2, 5)" in msg


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"padding": "causal"}, ["'valid'", "'same'", "causal"]),
        ({"pool_size": 0}, ["pool_size", "0"]),
        ({"strides": (2, -1)}, ["strides", "(2, -1)"]),
    ],
)
def test_pooling_rejects_bad_arguments(kwargs: dict[str, Any], words: list[str]) -> None:
    for cls in POOLS:
        with pytest.raises(ConfigError) as info:
            cls(**kwargs)
        for word in words:
            assert word in str(info.value)


def test_pooling_config_rebuilds_the_same_layer() -> None:
    layer = MaxPooling2D((2, 3), strides=1, padding="same")
    config = {k: v for k, v in layer.get_config().items() if k != "name"}
    assert config == {"trainable": True, "pool_size": [2, 3], "strides": [1, 1],
                      "padding": "same"}
    again = MaxPooling2D(**config)
    assert {k: v for k, v in again.get_config().items() if k != "name"} == config
