"""The compiled attention and layer-norm kernels (numba) equal their NumPy references
(float32 tolerance) and hand the cases they do not cover (dropout, traces, other axes)
to the references."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.backend import attention_numpy, get_backend, layer_norm

tn = pytest.importorskip("nntui.engine.backend.transformer_numba")
F32 = np.float32


def _heads(rng: np.random.Generator, n: int, t: int, h: int, d: int) -> list[np.ndarray]:
    """q, k, v as the layer makes them: (N, H, T, d) views of one (N·T, 3·H·d) product."""
    y = rng.standard_normal((n * t, 3 * h * d)).astype(F32)
    return [y[:, i * h * d:(i + 1) * h * d].reshape(n, t, h, d).transpose(0, 2, 1, 3)
            for i in range(3)]


@pytest.mark.parametrize("causal", [True, False])
def test_compiled_attention_equals_the_numpy_reference(causal: bool) -> None:
    rng = np.random.default_rng(0)
    q, k, v = _heads(rng, 3, 7, 2, 4)
    g = _heads(rng, 3, 7, 2, 4)[0]
    _, a_ref, c_ref = attention_numpy.attention(q, k, v, 0.5, causal, None, False)
    scores, a, c = tn.attention(q, k, v, 0.5, causal, None, False)
    assert scores is None
    np.testing.assert_allclose(a, a_ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(c, c_ref, rtol=1e-5, atol=1e-6)
    if causal:  # masked weights are exactly zero, as in the reference
        assert not a[..., np.triu_indices(7, 1)[0], np.triu_indices(7, 1)[1]].any()
    ref = attention_numpy.attention_backward(q, k, v, a_ref, None, g, 0.5, False)
    got = tn.attention_backward(q, k, v, a, None, g, 0.5, False)
    for name, x, want in zip(("dq", "dk", "dv"), got, ref, strict=False):
        np.testing.assert_allclose(x, want, rtol=1e-5, atol=1e-6, err_msg=name)
    assert got[3] is None


def test_a_nan_score_spreads_over_its_row_as_in_numpy() -> None:
    rng = np.random.default_rng(2)
    q, k, v = _heads(rng, 1, 4, 1, 3)
    q = q.copy()
    q[0, 0, 2, 1] = np.nan
    _, a_ref, _ = attention_numpy.attention(q, k, v, 1.0, True, None, False)
    _, a, _ = tn.attention(q, k, v, 1.0, True, None, False)
    assert np.array_equal(np.isnan(a), np.isnan(a_ref)) and np.isnan(a[0, 0, 2]).all()


def test_dropout_and_traces_run_the_reference_kernel() -> None:
    rng = np.random.default_rng(3)
    q, k, v = _heads(rng, 2, 5, 2, 3)
    drop = (rng.uniform(size=(2, 2, 5, 5)) < 0.8).astype(F32) / F32(0.8)
    for args in ((drop, False), (None, True)):
        want = attention_numpy.attention(q, k, v, 0.5, True, *args)
        got = tn.attention(q, k, v, 0.5, True, *args)
        for x, y in zip(got, want, strict=True):
            assert (x is None and y is None) or np.array_equal(x, y)


@pytest.mark.parametrize("affine", [True, False], ids=["gamma-beta", "plain"])
def test_compiled_layer_norm_equals_the_reference(affine: bool) -> None:
    rng = np.random.default_rng(4)
    x = (3 + 2 * rng.standard_normal((5, 6, 33))).astype(F32)
    g = rng.standard_normal(x.shape).astype(F32)
    gamma = rng.standard_normal(33).astype(F32) if affine else None
    beta = rng.standard_normal(33).astype(F32) if affine else None
    ops = get_backend("numpy")
    want = layer_norm.layer_norm(ops, x, gamma, beta, (2,), 1e-3)
    got = tn.layer_norm(x, gamma, beta, (2,), 1e-3)
    for name, a, b in zip(("y", "x_hat", "rstd"), got, want, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=name)
    want_b = layer_norm.layer_norm_backward(ops, g, want[1], want[2], gamma, (2,))
    got_b = tn.layer_norm_backward(g, got[1], got[2], gamma, (2,))
    for name, a, b in zip(("dx", "dgamma", "dbeta"), got_b, want_b, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5, err_msg=name)


def test_layer_norm_over_other_axes_runs_the_reference() -> None:
    x = np.random.default_rng(5).standard_normal((3, 4, 5)).astype(F32)
    gamma = np.ones((4, 5), F32)
    want = layer_norm.layer_norm(np, x, gamma, None, (1, 2), 1e-3)
    got = tn.layer_norm(x, gamma, None, (1, 2), 1e-3)
    for a, b in zip(got, want, strict=True):
        assert np.array_equal(a, b)
    assert np.allclose(got[1].mean(axis=(1, 2)), 0, atol=1e-6)
