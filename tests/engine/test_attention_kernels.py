"""The NumPy attention and embedding-gradient kernels against their formulas written out
plainly (float64), with and without the causal mask and dropout."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.backend import attention_numpy as k


def plain(q, kk, v, scale, causal, drop):
    s = q @ kk.swapaxes(-1, -2) * scale
    t = s.shape[-1]
    m = np.where(np.tri(t, dtype=bool), s, -1e9) if causal else s
    a = np.exp(m - m.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    u = a if drop is None else a * drop
    return s, a, u @ v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("dropout", [False, True])
def test_attention_forward_and_backward_follow_the_formulas(causal: bool, dropout: bool) -> None:
    rng = np.random.default_rng(0)
    q, kk, v, g = (rng.standard_normal((2, 3, 5, 4)) for _ in range(4))
    drop = (rng.uniform(size=(2, 3, 5, 5)) < 0.8) / 0.8 if dropout else None
    s, a, c = plain(q, kk, v, 0.5, causal, drop)
    got_s, got_a, got_c = k.attention(q, kk, v, 0.5, causal, drop, True)
    np.testing.assert_allclose(got_s, s, atol=1e-12)
    np.testing.assert_allclose(got_a, a, atol=1e-12)
    np.testing.assert_allclose(got_c, c, atol=1e-12)
    u = a if drop is None else a * drop
    g_attn = g @ v.swapaxes(-1, -2) * (1.0 if drop is None else drop)
    g_s = a * (g_attn - (g_attn * a).sum(-1, keepdims=True))
    dq, dk, dv, ga = k.attention_backward(q, kk, v, got_a, drop, g, 0.5, True)
    np.testing.assert_allclose(dv, u.swapaxes(-1, -2) @ g, atol=1e-12)
    np.testing.assert_allclose(ga, g_attn, atol=1e-12)
    np.testing.assert_allclose(dq, g_s @ kk * 0.5, atol=1e-12)
    np.testing.assert_allclose(dk, g_s.swapaxes(-1, -2) @ q * 0.5, atol=1e-12)
    assert k.attention(q, kk, v, 0.5, causal, drop, False)[0] is None


def test_embedding_gradient_sums_every_repeat_of_an_id() -> None:
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 7, (6, 9))
    vals = rng.standard_normal((6, 9, 3))
    want = np.zeros((10, 3))
    np.add.at(want, ids.reshape(-1), vals.reshape(-1, 3))
    np.testing.assert_allclose(k.scatter_add_rows(10, ids, vals), want, atol=1e-12)
    assert not k.scatter_add_rows(10, ids[:0], vals[:0]).any()
