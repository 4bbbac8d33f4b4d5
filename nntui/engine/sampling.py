"""Text from a causal language model: the next-token distribution, temperature, top-k.

A model here is a built ``Sequential`` whose output at position t is the softmax over
the vocabulary for the token at t + 1 (``(N, T) ids -> (N, T, V) probabilities``).
:func:`generate` feeds its own choices back, one token at a time, over the last
``context`` tokens (the longest sequence the model's position table holds).

Temperature τ and top-k reshape the model's distribution p before a draw:

    q_i ∝ p_i^(1/τ) for the k most probable tokens, 0 for the others

(p^(1/τ) renormalised is softmax(logits / τ): τ < 1 sharpens, τ > 1 flattens;
τ = 0 is the arg-max, "greedy").

Example:
    >>> out = generate(model, np.array([5, 12]), 40, context=64, temperature=0.8,
    ...                top_k=10, seed=0)                                # doctest: +SKIP
    >>> out.tokens.shape                                                # doctest: +SKIP
    (40,)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.engine.threads import one_blas_thread
from nntui.errors import ConfigError

CANDIDATES = 5
"""Most probable tokens kept per step for the probability bars."""


@dataclass(frozen=True)
class Step:
    """One generated token and the distribution it was drawn from.

    Attributes:
        token: the chosen id.
        candidates: the most probable ``(id, q)`` of the distribution actually sampled
            (after temperature and top-k), most probable first.
    """

    token: int
    candidates: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Generation:
    """The prompt, the tokens written after it, and each step's distribution."""

    prompt: np.ndarray
    tokens: np.ndarray
    steps: tuple[Step, ...]


def check_sampling(temperature: Any, top_k: Any) -> tuple[float, int | None]:
    """Validated ``(temperature, top_k)``.

    Raises:
        ConfigError: temperature not a number >= 0, or top_k not a positive integer.
    """
    bad_t = (isinstance(temperature, bool) or not isinstance(temperature, (int, float))
             or not np.isfinite(temperature) or temperature < 0)
    if bad_t:
        raise ConfigError("temperature must be a number >= 0 (0: always the most probable "
                          f"token). Received: temperature={temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise ConfigError(f"top_k must be a positive integer (or none for every token). "
                          f"Received: top_k={top_k!r}")
    return float(temperature), None if top_k is None else int(top_k)


def reshape_distribution(probs: np.ndarray, temperature: float, top_k: int | None
                         ) -> np.ndarray:
    """q ∝ p^(1/τ) over the top-k tokens of ``probs (V,)``, float64; one-hot at τ = 0.

    Ties at the k-th probability keep the lower ids (a stable order), so the result
    never depends on how a sort breaks them.
    """
    p = np.asarray(probs, dtype=np.float64).ravel()
    order = np.argsort(-p, kind="stable")                          # most probable first
    keep = order[: top_k or p.size]
    q = np.zeros_like(p)
    if temperature == 0.0:
        q[order[0]] = 1.0
        return q
    logp = np.log(np.maximum(p[keep], np.finfo(np.float64).tiny)) / temperature
    w = np.exp(logp - logp.max())
    q[keep] = w / w.sum()
    return q


def next_token_probs(model: Any, ids: np.ndarray) -> np.ndarray:
    """The model's distribution ``(V,)`` for the token after ``ids (t,)`` (inference mode)."""
    ops = model.ops
    out = model.forward(ops.asarray(np.asarray(ids, dtype=np.int64)[None, :]), training=False)
    return ops.to_numpy(out)[0, -1]                                # (1, t, V) -> (V,)


def _draw(q: np.ndarray, u: float) -> int:
    """The token whose cumulative-probability interval holds ``u`` (inverse CDF)."""
    token = min(int(np.searchsorted(np.cumsum(q), u, side="right")), q.size - 1)
    while q[token] == 0.0:  # only on rounding at the very end of the cumulative sum
        token -= 1
    return token


def generate(model: Any, prompt: np.ndarray, n_new: int, *, context: int,
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = None,
             rng: np.random.Generator | None = None) -> Generation:
    """Write ``n_new`` tokens after ``prompt``, each drawn from the reshaped distribution.

    Deterministic for a fixed ``seed`` (one uniform draw per token, inverted on the
    cumulative distribution).

    Args:
        model: a built causal language model (see the module docstring).
        prompt: ids ``(P,)``, P >= 1.
        n_new: tokens to write (>= 0).
        context: the most tokens the model sees at once (its block size).
        temperature, top_k: see :func:`reshape_distribution`.
        seed / rng: the generator of the draws (``rng`` wins when both are given).

    Raises:
        ConfigError: an empty prompt, a negative ``n_new``, or bad temperature / top_k.
    """
    temperature, top_k = check_sampling(temperature, top_k)
    ids = [int(i) for i in np.asarray(prompt).ravel()]
    if not ids:
        raise ConfigError("the prompt must hold at least one token. Received: an empty prompt")
    if isinstance(n_new, bool) or not isinstance(n_new, (int, np.integer)) or n_new < 0:
        raise ConfigError(f"tokens must be a whole number >= 0. Received: tokens={n_new!r}")
    rng = rng if rng is not None else np.random.default_rng(seed)
    steps: list[Step] = []
    with one_blas_thread():  # one sequence at a time: products too small to share out
        for _ in range(int(n_new)):
            q = reshape_distribution(next_token_probs(model, np.array(ids[-context:])),
                                     temperature, top_k)
            token = _draw(q, rng.random())
            top = np.argsort(-q, kind="stable")[:CANDIDATES]
            steps.append(Step(token, tuple((int(i), float(q[i])) for i in top if q[i] > 0)))
            ids.append(token)
    n_prompt = len(ids) - len(steps)
    return Generation(np.array(ids[:n_prompt], np.int64), np.array(ids[n_prompt:], np.int64),
                      tuple(steps))
