"""Minibatch standard deviation: a collapsed batch has no spread; gradients against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers.minibatch import MinibatchStdDev
from tests.engine.gradcheck import build_layer


def test_a_batch_of_copies_has_no_spread_and_a_varied_one_has_its_std() -> None:
    layer = build_layer(MinibatchStdDev(), (4,))
    same = np.tile(np.arange(4.0), (6, 1))
    assert layer.forward(same)[:, -1] == pytest.approx(1e-4, rel=1e-3)  # sqrt(epsilon)
    varied = np.random.default_rng(0).normal(0, 2.0, (500, 4))
    out = layer.forward(varied)
    np.testing.assert_array_equal(out[:, :4], varied)
    assert out[0, -1] == pytest.approx(varied.std(axis=0).mean(), rel=1e-6)
    assert np.all(out[:, -1] == out[0, -1])


def test_backward_matches_pytorch_autograd() -> None:
    torch = pytest.importorskip("torch")
    layer = build_layer(MinibatchStdDev(), (5,))
    x = np.random.default_rng(1).normal(size=(7, 5))
    g = np.random.default_rng(2).normal(size=(7, 6))
    layer.forward(x)
    ours = layer.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    s = torch.sqrt(xt.var(0, unbiased=False) + 1e-8).mean()
    out = torch.cat([xt, s.expand(7, 1)], dim=1)
    (out * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours, xt.grad.numpy(), atol=1e-12)
