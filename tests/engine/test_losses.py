"""Losses: values by hand, gradients against finite differences, fused forms."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.backend import get_backend
from nntui.engine.losses import get_loss
from tests.engine.gradcheck import rel_error

ops = get_backend("numpy", "float64")


def _numeric(loss, y, p, eps=1e-6):
    g = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + eps
        up = float(loss(ops, y, p))
        p[i] = old - eps
        down = float(loss(ops, y, p))
        p[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def _cases():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=5)
    onehot = np.eye(4)[rng.integers(0, 4, 5)]
    sig = rng.uniform(0.05, 0.95, (5, 1))
    yb = rng.integers(0, 2, (5, 1)).astype(float)
    return [("mse", rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
            ("binary_crossentropy", yb, sig),
            ("categorical_crossentropy", onehot, probs)]


@pytest.mark.parametrize("name,y,p", _cases())
def test_loss_gradient_matches_finite_differences(name, y, p) -> None:
    loss = get_loss(name)
    assert rel_error(loss.gradient(ops, y, p), _numeric(loss, y, p.copy())) < 1e-6


def test_loss_values_by_hand() -> None:
    y = np.array([[0.0, 1.0]])
    p = np.array([[0.25, 0.75]])
    assert float(get_loss("categorical_crossentropy")(ops, y, p)) == pytest.approx(-np.log(0.75))
    assert float(get_loss("mse")(ops, np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))) == 5.0
    bce = float(get_loss("binary_crossentropy")(ops, np.array([[1.0]]), np.array([[0.8]])))
    assert bce == pytest.approx(-np.log(0.8 + 1e-7), rel=1e-6)


def test_fused_softmax_crossentropy_equals_chain_rule() -> None:
    """dL/dz from the fused form equals softmax's Jacobian times dL/dp."""
    rng = np.random.default_rng(2)
    z = rng.standard_normal((4, 5))
    p = ops.softmax(z)
    y = np.eye(5)[rng.integers(0, 5, 4)]
    loss = get_loss("categorical_crossentropy")
    dp = loss.gradient(ops, y, p)
    chain = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
    np.testing.assert_allclose(loss.fused_gradient(ops, y, p), chain, atol=1e-9)


def test_fused_sigmoid_bce_equals_chain_rule() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((6, 1))
    p = ops.sigmoid(z)
    y = rng.integers(0, 2, (6, 1)).astype(float)
    loss = get_loss("binary_crossentropy")
    chain = loss.gradient(ops, y, p) * p * (1 - p)
    np.testing.assert_allclose(loss.fused_gradient(ops, y, p), chain, rtol=1e-5, atol=1e-9)
