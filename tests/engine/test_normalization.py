"""LayerNormalization: statistics, finite-difference gradients, Keras parity."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers.normalization import LayerNormalization
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * 2.0 + 0.5


def _randomise(layer: LayerNormalization, seed: int = 3) -> None:
    """Non-trivial gamma and beta, so their gradients and the parity test mean something."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.standard_normal(w.shape) for w in layer.get_weights()])


def test_keras_defaults_weights_and_order() -> None:
    layer = build_layer(LayerNormalization(), (3, 5))
    assert layer.epsilon == 1e-3
    assert layer.weight_names == ["gamma", "beta"]
    assert [w.shape for w in layer.get_weights()] == [(5,), (5,)]


def test_output_has_zero_mean_unit_variance_per_sample() -> None:
    layer = build_layer(LayerNormalization(epsilon=1e-9), (3, 8))
    y = layer.forward(_x((2, 3, 8)))
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), 1.0, atol=1e-7)


@pytest.mark.parametrize("shape", [(6,), (3, 5)])
def test_gradients_match_finite_differences(shape: tuple[int, ...]) -> None:
    layer = build_layer(LayerNormalization(), shape)
    _randomise(layer)
    assert_layer_gradients(layer, _x((2,) + shape))


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_gradients_without_center_or_scale(center: bool, scale: bool) -> None:
    layer = build_layer(LayerNormalization(center=center, scale=scale), (3, 4))
    _randomise(layer)
    assert len(layer.params) == int(center) + int(scale)
    assert_layer_gradients(layer, _x((2, 3, 4)))


def test_gradients_over_several_axes() -> None:
    layer = build_layer(LayerNormalization(axis=(1, 2)), (3, 4))
    _randomise(layer)
    assert layer.params["gamma"].shape == (3, 4)
    assert_layer_gradients(layer, _x((2, 3, 4)))


def test_batch_axis_is_rejected() -> None:
    with pytest.raises(ShapeError, match="axis=0"):
        build_layer(LayerNormalization(axis=0), (4,))
    with pytest.raises(ConfigError, match="epsilon"):
        LayerNormalization(epsilon=0)


@pytest.mark.parametrize("axis", [-1, (1, 2)])
def test_matches_keras_layer_normalization(axis: Any) -> None:
    keras = _keras()
    ours = build_layer(LayerNormalization(axis=axis), (3, 6), dtype="float32")
    _randomise(ours)
    x = _x((4, 3, 6)).astype(np.float32)
    ref = keras.layers.LayerNormalization(axis=list(axis) if isinstance(axis, tuple) else axis)
    ref(x)
    ref.set_weights(ours.get_weights())
    want = keras.ops.convert_to_numpy(ref(x))
    np.testing.assert_allclose(ours.forward(ours.ops.asarray(x)), want, atol=1e-5)
