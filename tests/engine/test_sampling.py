"""Temperature, top-k and the draws of ``nntui.engine.sampling`` against PyTorch's softmax
and against the frequencies of many draws."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.sampling import check_sampling, generate, reshape_distribution
from nntui.errors import ConfigError

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("temperature,top_k", [(1.0, None), (0.5, None), (2.0, 3), (0.8, 1)])
def test_reshaped_distribution_is_softmax_of_logits_over_temperature_within_top_k(
        temperature: float, top_k: int | None) -> None:
    logits = torch.from_numpy(np.random.default_rng(0).normal(0, 2, 9))
    p = torch.softmax(logits, -1).numpy()
    scaled = logits / temperature
    if top_k is not None:  # the usual masking of everything below the k-th logit
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = torch.where(scaled < kth, torch.tensor(-np.inf, dtype=scaled.dtype), scaled)
    want = torch.softmax(scaled, -1).numpy()
    np.testing.assert_allclose(reshape_distribution(p, temperature, top_k), want, atol=1e-12)


def test_zero_temperature_is_the_arg_max_and_ties_keep_the_lower_id() -> None:
    np.testing.assert_array_equal(reshape_distribution(np.array([0.2, 0.4, 0.4]), 0.0, None),
                                  [0.0, 1.0, 0.0])
    np.testing.assert_allclose(reshape_distribution(np.array([0.3, 0.3, 0.4]), 1.0, 2),
                               [0.3 / 0.7, 0.0, 0.4 / 0.7], atol=1e-15)


class Fixed:
    """A stand-in language model whose next-token distribution is always ``p``."""

    def __init__(self, p: np.ndarray) -> None:
        from nntui.engine.backend import get_backend

        self.p, self.ops, self.seen = p, get_backend("numpy"), []

    def forward(self, ids: np.ndarray, training: bool = False) -> np.ndarray:
        self.seen.append(ids.shape[1])
        return np.broadcast_to(self.p, ids.shape + self.p.shape)


def test_draws_follow_the_reshaped_distribution_and_the_context_is_capped() -> None:
    p = np.array([0.5, 0.3, 0.15, 0.05])
    model = Fixed(p)
    out = generate(model, np.array([0, 1, 2]), 6000, context=5, temperature=0.5, top_k=3,
                   seed=1)
    freq = np.bincount(out.tokens, minlength=4) / len(out.tokens)
    np.testing.assert_allclose(freq, reshape_distribution(p, 0.5, 3), atol=0.02)
    assert freq[3] == 0.0  # outside the top 3
    assert model.seen[:4] == [3, 4, 5, 5] and max(model.seen) == 5
    assert out.steps[0].candidates[0][0] == 0 and len(out.steps[0].candidates) == 3


def test_the_same_seed_draws_the_same_tokens_and_another_seed_others() -> None:
    model = Fixed(np.full(10, 0.1))
    a, b = (generate(model, np.array([1]), 50, context=8, seed=7).tokens for _ in range(2))
    c = generate(model, np.array([1]), 50, context=8, seed=8).tokens
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("kwargs,match", [
    ({"temperature": -0.1}, r"temperature must be a number >= 0.*Received: temperature=-0.1"),
    ({"temperature": float("nan")}, r"temperature must be"),
    ({"top_k": 0}, r"top_k must be a positive integer.*Received: top_k=0"),
    ({"top_k": 2.5}, r"top_k must be a positive integer"),
])
def test_bad_settings_name_the_setting_and_quote_the_value(kwargs, match) -> None:
    args = {"temperature": 1.0, "top_k": None, **kwargs}
    with pytest.raises(ConfigError, match=match):
        check_sampling(args["temperature"], args["top_k"])


def test_an_empty_prompt_or_negative_count_is_refused() -> None:
    model = Fixed(np.full(3, 1 / 3))
    with pytest.raises(ConfigError, match="at least one token"):
        generate(model, np.array([], np.int64), 3, context=4)
    with pytest.raises(ConfigError, match=r"tokens must be a whole number >= 0.*-1"):
        generate(model, np.array([0]), -1, context=4)
