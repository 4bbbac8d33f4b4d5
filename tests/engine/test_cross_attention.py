"""Cross-attention and the decoder block against Keras (the forward) and PyTorch autograd
(every gradient), beyond the generic layer contract (finite differences, MLX)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from nntui.engine.layers.cross_attention import MultiHeadCrossAttention, TransformerDecoderBlock
from nntui.engine.layers.reshaping import Cropping1D
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import build_layer


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _random_biases(layer: Any) -> None:
    rng = np.random.default_rng(5)
    for name in layer.params:
        if name.endswith(("bias", "beta")):
            layer.params[name] = layer.ops.asarray(
                rng.standard_normal(layer.params[name].shape).astype(layer.ops.dtype))


def test_cross_attention_matches_keras_multi_head_attention_on_query_and_memory() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    ours = build_layer(MultiHeadCrossAttention(2, 4, memory_length=5), (3 + 5, 6),
                       dtype="float32")
    _random_biases(ours)
    z = _x((2, 8, 6), seed=4).astype(np.float32)
    x, m = z[:, :3], z[:, 3:]
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    ref(x, m, m)
    ref.set_weights(ours.get_weights())
    want = keras.ops.convert_to_numpy(ref(query=x, value=m, key=m))
    np.testing.assert_allclose(ours.forward(ours.ops.asarray(z)), want, atol=1e-5)


def test_the_memory_never_changes_and_each_output_reads_all_of_it() -> None:
    layer = build_layer(TransformerDecoderBlock(2, 3, 8, memory_length=4), (3 + 4, 6))
    layer._trace = {}
    z = _x((2, 7, 6))
    out = layer.forward(z)
    trace, layer._trace = layer._trace, None
    np.testing.assert_array_equal(out[:, 3:], z[:, 3:])  # the memory passes through
    assert trace["cross_attention"].shape == (2, 2, 3, 4)
    assert np.all(trace["cross_attention"] > 0)  # no mask on the memory
    assert np.all(np.triu(trace["attention"], k=1) == 0)  # the decoder's own steps are causal
    later = z.copy()
    later[:, 2] += 5.0  # a later decoder step changes nothing before it
    np.testing.assert_allclose(layer.forward(later)[:, :2], out[:, :2], atol=1e-12)


def test_decoder_block_gradients_match_pytorch_autograd() -> None:
    torch = pytest.importorskip("torch")
    layer = build_layer(TransformerDecoderBlock(2, 3, 8, memory_length=4), (3 + 4, 6))
    _random_biases(layer)
    z = _x((2, 7, 6), seed=1)
    r = _x((2, 7, 6), seed=2)
    layer.forward(z)
    ours = layer.backward(r)
    w = {k: torch.tensor(np.asarray(v), requires_grad=True) for k, v in layer.params.items()}
    zt = torch.tensor(z, requires_grad=True)

    def ln(x: Any, p: str) -> Any:
        return torch.nn.functional.layer_norm(x, (6,), w[f"{p}/gamma"], w[f"{p}/beta"], 1e-3)

    def heads(x: Any, p: str) -> Any:  # (N, L, D) -> (N, H, L, k)
        y = torch.einsum("nld,dhk->nlhk", x, w[f"{p}/kernel"]) + w[f"{p}/bias"]
        return y.permute(0, 2, 1, 3)

    def mha(xq: Any, xm: Any, p: str, causal: bool) -> Any:
        a = torch.nn.functional.scaled_dot_product_attention(
            heads(xq, f"{p}/query"), heads(xm, f"{p}/key"), heads(xm, f"{p}/value"),
            is_causal=causal)
        out = torch.einsum("nhtk,hkd->ntd", a, w[f"{p}/attention_output/kernel"])
        return out + w[f"{p}/attention_output/bias"]

    x, m = zt[:, :3], zt[:, 3:]
    a = ln(x, "ln1")
    h = x + mha(a, a, "attn", True)
    h = h + mha(ln(h, "ln2"), m, "cross", False)
    f = torch.relu(ln(h, "ln3") @ w["ff1/kernel"] + w["ff1/bias"]) @ w["ff2/kernel"]
    y = torch.cat([h + f + w["ff2/bias"], m], dim=1)
    np.testing.assert_allclose(layer.forward(z), y.detach().numpy(), atol=1e-10)
    (y * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(ours, zt.grad.numpy(), atol=1e-10)
    for name, g in layer.grads.items():
        np.testing.assert_allclose(g, w[name].grad.numpy(), atol=1e-10, err_msg=name)


def test_cropping_and_memory_length_errors_name_the_value() -> None:
    with pytest.raises(ConfigError, match=r"cropping must be.*Received: cropping=-1"):
        Cropping1D(-1)
    with pytest.raises(ShapeError, match="removes 6 of 6 steps"):
        build_layer(Cropping1D((2, 4)), (6, 3))
    with pytest.raises(ConfigError, match="memory_length=0"):
        MultiHeadCrossAttention(2, 3, memory_length=0)
    with pytest.raises(ShapeError, match=r"T ≥ 1 \(memory_length=7\)"):
        build_layer(MultiHeadCrossAttention(2, 3, memory_length=7), (7, 4))
