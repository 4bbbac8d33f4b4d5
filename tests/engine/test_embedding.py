"""Embedding: lookup, scatter-add gradients, id validation, Keras parity."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers.embedding import Embedding
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _ids(shape: tuple[int, ...], v: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, v, shape)


def test_forward_is_a_row_lookup_with_keras_shapes() -> None:
    layer = build_layer(Embedding(7, 3), (4,))
    ids = _ids((2, 4), 7)
    out = layer.forward(layer.ops.asarray(ids))
    assert layer.params["embeddings"].shape == (7, 3)
    assert layer.output_shape == (4, 3)
    np.testing.assert_array_equal(out, layer.get_weights()[0][ids])


def test_default_initializer_is_keras_random_uniform() -> None:
    w = build_layer(Embedding(50, 20), (4,)).get_weights()[0]
    assert np.abs(w).max() <= 0.05 and w.std() > 0.01


def test_gradients_match_finite_differences_with_repeated_ids() -> None:
    layer = build_layer(Embedding(5, 4), (6,))
    ids = np.array([[0, 1, 1, 4, 0, 0], [2, 2, 4, 1, 3, 0]])  # repeats must add up
    assert_layer_gradients(layer, ids)


def test_backward_scatter_adds_into_rows_and_returns_zero_input_gradient() -> None:
    layer = build_layer(Embedding(4, 2), (3,))
    ids = np.array([[1, 1, 3]])
    layer.forward(layer.ops.asarray(ids))
    g = np.arange(6, dtype=np.float64).reshape(1, 3, 2)
    grad_in = layer.backward(layer.ops.asarray(g))
    assert grad_in.shape == ids.shape and not np.any(grad_in)
    np.testing.assert_array_equal(layer.grads["embeddings"], [[0, 0], [2, 4], [0, 0], [4, 5]])


def test_float_ids_from_the_model_input_conversion_are_accepted() -> None:
    layer = build_layer(Embedding(6, 3), (4,))
    ids = _ids((2, 4), 6)
    a = layer.forward(layer.ops.asarray(ids))
    b = layer.forward(layer.ops.asarray(ids.astype(np.float32)))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-1, 6])
def test_out_of_range_ids_name_the_layer_and_the_range(bad: int) -> None:
    layer = build_layer(Embedding(6, 3, name="tokens"), (2,))
    with pytest.raises(ShapeError, match=r"'tokens'.*\[0, 5\]"):
        layer.forward(layer.ops.asarray(np.array([[0, bad]], dtype=np.float32)))


def test_non_integral_ids_are_rejected() -> None:
    layer = build_layer(Embedding(6, 3), (2,))
    with pytest.raises(ShapeError, match="integer token ids"):
        layer.forward(layer.ops.asarray(np.array([[0.0, 1.5]])))


def test_bad_sizes_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="input_dim=0"):
        Embedding(0, 3)
    with pytest.raises(ConfigError, match="output_dim"):
        Embedding(3, 2.5)  # type: ignore[arg-type]


def test_matches_keras_embedding() -> None:
    keras = _keras()
    ours = build_layer(Embedding(9, 5), (6,), dtype="float32")
    ref = keras.layers.Embedding(9, 5)
    ids = _ids((3, 6), 9, seed=2)
    ref(ids)
    ref.set_weights(ours.get_weights())
    want = keras.ops.convert_to_numpy(ref(ids))
    np.testing.assert_allclose(ours.forward(ours.ops.asarray(ids)), want, atol=1e-6)
