"""Self-attention, positional embedding, transformer block, pooling; a tiny LM that learns."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers import Dense
from nntui.engine.layers.attention import (
    GlobalAveragePooling1D,
    MultiHeadSelfAttention,
    PositionalEmbedding,
    TransformerBlock,
)
from nntui.engine.layers.embedding import Embedding
from nntui.engine.model import Input, Sequential
from nntui.engine.trace import traced_step
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer, layer_gradients, rel_error

MHA_WEIGHTS = ["query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel",
               "value/bias", "attention_output/kernel", "attention_output/bias"]


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _randomise_biases(layer: Any, seed: int = 5) -> None:
    """Biases start at zero; non-zero ones make their gradients and parity meaningful."""
    rng = np.random.default_rng(seed)
    for name in layer.params:
        if name.endswith(("bias", "beta")):
            layer.params[name] = layer.ops.asarray(rng.standard_normal(layer.params[name].shape))


def _assert_gradients(layer: Any, x: np.ndarray, **kw: Any) -> None:
    """Like assert_layer_gradients, except the key bias, whose gradient is exactly zero:
    softmax is shift-invariant and q·b_k adds the same number to every score of a row."""
    for name, (a, n) in layer_gradients(layer, x, **kw).items():
        if name.endswith("key/bias"):
            np.testing.assert_allclose(a, 0.0, atol=1e-12)
            np.testing.assert_allclose(n, 0.0, atol=1e-8)
        else:
            err = rel_error(a, n)
            assert err < 1e-6, f"{type(layer).__name__} grad {name}: relative error {err:.2e}"


# MultiHeadSelfAttention ------------------------------------------------------------------
@pytest.mark.parametrize("causal", [False, True])
def test_attention_gradients_match_finite_differences(causal: bool) -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, causal=causal), (4, 5))
    _randomise_biases(layer)
    _assert_gradients(layer, _x((2, 4, 5)))


def test_attention_gradients_with_value_dim_output_dim_and_no_bias() -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, value_dim=2, output_dim=6, causal=True),
                        (3, 4))
    assert layer.output_shape == (3, 6)
    _randomise_biases(layer)
    _assert_gradients(layer, _x((2, 3, 4)))
    plain = build_layer(MultiHeadSelfAttention(2, 2, use_bias=False), (3, 4))
    assert plain.weight_names == ["query/kernel", "key/kernel", "value/kernel",
                                  "attention_output/kernel"]
    assert_layer_gradients(plain, _x((2, 3, 4)))


def test_attention_dropout_backward_uses_the_forward_mask() -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, dropout=0.3, seed=0), (4, 4))
    forward = layer.forward

    def same_mask_forward(x: Any, training: bool = False) -> Any:
        layer._rng = np.random.default_rng(7)  # the same mask on every finite-difference call
        return forward(x, training)

    layer.forward = same_mask_forward  # type: ignore[method-assign]
    _assert_gradients(layer, _x((2, 4, 4)), training=True)
    assert not np.allclose(forward(_x((2, 4, 4)), True), forward(_x((2, 4, 4)), False))


def test_weight_order_and_shapes_follow_keras() -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, value_dim=4), (5, 6))
    assert layer.weight_names == MHA_WEIGHTS
    assert [w.shape for w in layer.get_weights()] == [
        (6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (6, 2, 4), (2, 4), (2, 4, 6), (6,)]


@pytest.mark.parametrize("causal", [False, True])
def test_attention_rows_sum_to_one_and_trace_shapes(causal: bool) -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, value_dim=4, causal=causal), (5, 6))
    layer._trace = {}
    layer.forward(_x((3, 5, 6)) * 3.0)
    trace, layer._trace = layer._trace, None
    assert trace["scores"].shape == trace["attention"].shape == (3, 2, 5, 5)
    assert trace["context"].shape == (3, 5, 2, 4)
    a = trace["attention"]
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=1e-12)
    upper = np.triu(np.ones((5, 5), bool), k=1)
    assert np.all(a[..., upper] == 0.0) if causal else np.all(a[..., upper] > 0.0)


def test_causal_output_does_not_depend_on_later_positions() -> None:
    layer = build_layer(MultiHeadSelfAttention(2, 3, causal=True), (5, 4))
    x = _x((1, 5, 4))
    changed = x.copy()
    changed[:, 3:] += 10.0
    a, b = layer.forward(x), layer.forward(changed)
    np.testing.assert_allclose(a[:, :3], b[:, :3], atol=1e-12)
    assert not np.allclose(a[:, 3:], b[:, 3:])


@pytest.mark.parametrize("causal", [False, True])
def test_matches_keras_multi_head_attention(causal: bool) -> None:
    keras = _keras()
    ours = build_layer(MultiHeadSelfAttention(2, 4, causal=causal), (5, 6), dtype="float32")
    _randomise_biases(ours)
    x = _x((3, 5, 6), seed=4).astype(np.float32)
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    ref(x, x, use_causal_mask=causal)
    ref.set_weights(ours.get_weights())
    want = keras.ops.convert_to_numpy(ref(x, x, use_causal_mask=causal))
    np.testing.assert_allclose(ours.forward(ours.ops.asarray(x)), want, atol=1e-5)


def test_attention_config_and_shape_errors() -> None:
    with pytest.raises(ConfigError, match="num_heads=0"):
        MultiHeadSelfAttention(0, 4)
    with pytest.raises(ConfigError, match="dropout"):
        MultiHeadSelfAttention(2, 4, dropout=1.0)
    with pytest.raises(ShapeError, match="Embedding"):
        build_layer(MultiHeadSelfAttention(2, 4), (6,))


# PositionalEmbedding and GlobalAveragePooling1D ------------------------------------------
def test_positional_embedding_gradients_for_shorter_sequences() -> None:
    layer = build_layer(PositionalEmbedding(6, 4), (4, 4))
    assert layer.params["embeddings"].shape == (6, 4)
    assert_layer_gradients(layer, _x((2, 4, 4)))
    assert not np.any(layer.grads["embeddings"][4:])  # unused positions get no gradient


def test_positional_embedding_adds_one_vector_per_position() -> None:
    layer = build_layer(PositionalEmbedding(3, 2), (3, 2))
    out = layer.forward(np.zeros((2, 3, 2)))
    np.testing.assert_array_equal(out[0], layer.get_weights()[0])
    np.testing.assert_array_equal(out[1], layer.get_weights()[0])


def test_positional_embedding_rejects_longer_or_wider_inputs() -> None:
    with pytest.raises(ShapeError, match=r"\(4, 8\)"):
        build_layer(PositionalEmbedding(4, 8), (5, 8))
    with pytest.raises(ShapeError, match="received"):
        build_layer(PositionalEmbedding(4, 8), (4, 6))


def test_global_average_pooling_1d() -> None:
    layer = build_layer(GlobalAveragePooling1D(), (4, 3))
    x = _x((2, 4, 3))
    assert layer.output_shape == (3,)
    np.testing.assert_allclose(layer.forward(x), x.mean(1))
    assert_layer_gradients(layer, x)


# TransformerBlock ------------------------------------------------------------------------
@pytest.mark.parametrize("causal", [True, False])
def test_transformer_block_gradients_match_finite_differences(causal: bool) -> None:
    layer = build_layer(TransformerBlock(2, 3, 8, causal=causal), (4, 6))
    _randomise_biases(layer)
    _assert_gradients(layer, _x((2, 4, 6)))


def test_transformer_block_exposes_prefixed_params_and_grads() -> None:
    layer = build_layer(TransformerBlock(2, 3, 8), (4, 6))
    want = (["ln1/gamma", "ln1/beta"] + [f"attn/{n}" for n in MHA_WEIGHTS]
            + ["ln2/gamma", "ln2/beta", "ff1/kernel", "ff1/bias", "ff2/kernel", "ff2/bias"])
    assert layer.weight_names == want
    assert list(layer.grads) == want
    assert layer.params["attn/query/kernel"].shape == (6, 2, 3)
    assert layer.params["ff1/kernel"].shape == (6, 8) and layer.params["ff2/kernel"].shape == (8, 6)
    assert layer.count_params() == sum(w.size for w in layer.get_weights())
    layer.forward(_x((2, 4, 6)))
    layer.backward(_x((2, 4, 6), seed=1))
    assert all(layer.grads[n] is not None for n in want)
    layer.zero_grad()
    assert all(g is None for g in layer.grads.values())


def test_transformer_block_set_weights_and_updates_reach_the_sub_layers() -> None:
    layer = build_layer(TransformerBlock(2, 3, 8), (4, 6))
    new = [np.full(w.shape, 0.1 * i) for i, w in enumerate(layer.get_weights())]
    layer.set_weights(new)
    attn = layer.sublayers[1]
    np.testing.assert_array_equal(attn.params["key/kernel"], new[4])
    layer.params["ff2/bias"] = layer.ops.asarray(np.ones(6))  # what the optimizer does
    np.testing.assert_array_equal(layer.sublayers[5].params["bias"], np.ones(6))


def test_frozen_transformer_block_accumulates_no_gradients() -> None:
    layer = build_layer(TransformerBlock(2, 3, 8, trainable=False), (4, 6))
    layer.forward(_x((2, 4, 6)))
    layer.backward(_x((2, 4, 6)))
    assert all(g is None for g in layer.grads.values())
    layer.trainable = True
    assert all(child.trainable for child in layer.sublayers)


def _tiny_lm(v: int, t: int, causal: bool = True) -> Sequential:
    model = Sequential([Input((t,)), Embedding(v, 32), PositionalEmbedding(t, 32),
                        TransformerBlock(2, 16, 64, causal=causal),
                        Dense(v, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _copy_task(n: int, v: int, t: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences a·a (a random half repeated); the target is the next token (0 at the end).
    The second half is predictable only by attending back to the first."""
    a = np.random.default_rng(seed).integers(1, v, (n, t // 2))
    x = np.concatenate([a, a], axis=1)
    y = np.roll(x, -1, axis=1)
    y[:, -1] = 0
    return x, y


def test_tiny_transformer_lm_learns_the_copy_task() -> None:
    v, t = 8, 8
    model = _tiny_lm(v, t)
    x, y = _copy_task(512, v, t)
    before = model.evaluate(x, y, return_dict=True)
    model.fit(x, y, batch_size=32, epochs=12, verbose=0)  # 192 steps
    after = model.evaluate(x, y, return_dict=True)
    assert after["loss"] < 0.6 * before["loss"]
    # the copied half: positions t/2-1 .. t-2 predict x[:, 0 .. t/2-1]
    pred = model.predict(x).argmax(-1)
    assert np.mean(pred[:, t // 2 - 1:-1] == y[:, t // 2 - 1:-1]) > 0.9


def test_tiny_lm_traced_step_exposes_attention_per_head() -> None:
    v, t = 6, 4
    model = _tiny_lm(v, t)
    x, y = _copy_task(4, v, t)
    trace = traced_step(model, x, y, apply_update=True)
    block = trace.layers[2]
    assert block.internals["attention"].shape == (4, 2, t, t)
    assert {"attn/scores", "attn/context", "ln1/x_hat", "ff1/z"} <= set(block.internals)
    assert "attn/query/kernel" in block.grads
    assert f"{model.layers[2].name}/attn/query/kernel" in trace.update.new  # type: ignore[union-attr]
    model.train_on_batch(x, y)  # an ordinary step afterwards records nothing
    layer = model.layers[2]
    assert isinstance(layer, TransformerBlock)
    assert all(child._trace is None for child in layer.sublayers)


def test_sequence_classifier_with_global_average_pooling_trains() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, (256, 6))
    y = (x == 4).any(axis=1).astype(np.int64)  # does the sequence contain token 4?
    model = Sequential([Input((6,)), Embedding(5, 16), TransformerBlock(2, 8, 32, causal=False),
                        GlobalAveragePooling1D(), Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    first = model.evaluate(x, y)
    model.fit(x, y, batch_size=32, epochs=10, verbose=0)
    assert model.evaluate(x, y) < 0.5 * first
