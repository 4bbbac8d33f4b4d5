"""The loss landscape around a model's weights (Li et al. 2018, "Visualizing the Loss
Landscape of Neural Nets").

A 2-D slice: ``L(θ + α·δ + β·η)`` over a grid of ``(α, β)``, where ``δ`` and ``η`` are
random directions *filter-normalised*: each filter of a direction (in Keras's
layouts, each output unit: the last axis of a kernel) is rescaled to the norm of
the same filter of the weights, so the slice is comparable across layers and
networks whatever the scale of their weights; 1-D parameters (biases,
normalisation scales) get no direction, as in the paper's default. The optimizer's
trajectory is projected onto the plane by least squares; along random directions
in many dimensions it stays near the centre (the paper's point), so
:func:`pca_directions` gives the plane that holds most of the trajectory
instead (the paper's section 7). Also the 1-D interpolation
``L((1 − t)·θ₀ + t·θ₁)`` between two weight vectors (Goodfellow et al. 2015).

Everything takes ``loss_at(weights) -> float`` (see :func:`model_loss`), so the
same code draws a quadratic bowl or a network; weights are lists of arrays, as
``model.get_weights()`` gives them.

Example:
    >>> loss_at = model_loss(model, x, y)
    >>> d1, d2 = random_directions(model.get_weights(), np.random.default_rng(0))
    >>> grid = surface(loss_at, model.get_weights(), d1, d2, np.linspace(-1, 1, 21),
    ...                np.linspace(-1, 1, 21))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Weights = list[np.ndarray]
LossAt = Callable[[Weights], float]
Progress = Callable[[int, int], None]
"""``progress(done, total)``: evaluations done so far of the total."""
Cancelled = Callable[[], bool]


def filter_normalise(direction: Weights, weights: Weights, ignore_1d: bool = True) -> Weights:
    """Each filter (last-axis slice) of ``direction`` rescaled to the norm of the same
    filter of ``weights``; 1-D arrays zeroed (``ignore_1d``) or rescaled as a whole."""
    out: Weights = []
    for d, w in zip(direction, weights, strict=True):
        d, w = np.asarray(d, np.float64), np.asarray(w, np.float64)
        if d.ndim <= 1:
            out.append(np.zeros_like(d) if ignore_1d else d * _ratio(w, d))
            continue
        axes = tuple(range(d.ndim - 1))  # every axis but the filters'
        d_norm = np.sqrt(np.sum(d * d, axis=axes))  # (F,)
        w_norm = np.sqrt(np.sum(w * w, axis=axes))  # (F,)
        out.append(d * np.where(d_norm > 0, w_norm / np.maximum(d_norm, 1e-300), 0.0))
    return out


def _ratio(w: np.ndarray, d: np.ndarray) -> float:
    dn = float(np.linalg.norm(d))
    return float(np.linalg.norm(w)) / dn if dn > 0 else 0.0


def random_directions(weights: Weights, rng: np.random.Generator,
                      ignore_1d: bool = True) -> tuple[Weights, Weights]:
    """Two filter-normalised Gaussian directions shaped like ``weights``."""
    return tuple(  # type: ignore[return-value]
        filter_normalise([rng.standard_normal(np.shape(w)) for w in weights], weights,
                         ignore_1d) for _ in range(2))


def _flat(ws: Weights) -> np.ndarray:
    return np.concatenate([np.asarray(w, np.float64).ravel() for w in ws]) if ws else np.zeros(0)


def _unflat(v: np.ndarray, like: Weights) -> Weights:
    out, i = [], 0
    for w in like:
        n = int(np.size(w))
        out.append(v[i:i + n].reshape(np.shape(w)))
        i += n
    return out


def pca_directions(trajectory: Sequence[Weights], center: Weights
                   ) -> tuple[Weights, Weights, tuple[float, float]]:
    """The two principal directions of ``trajectory − center`` (unit length) and the
    share of the trajectory's variance each explains.

    Raises:
        ValueError: fewer than 3 trajectory points, or a trajectory without two
            independent directions.
    """
    if len(trajectory) < 3:
        raise ValueError("the trajectory needs at least 3 points for two directions")
    c = _flat(center)
    m = np.stack([_flat(w) - c for w in trajectory])  # (T, P)
    m = m - m.mean(axis=0)
    _, s, vt = np.linalg.svd(m, full_matrices=False)  # vt: (T, P)
    total = float(np.sum(s ** 2))
    if len(s) < 2 or s[1] <= 1e-12 * max(s[0], 1e-300):
        raise ValueError("the trajectory has no second direction (it is a straight line)")
    share = (float(s[0] ** 2 / total), float(s[1] ** 2 / total))
    return _unflat(vt[0], center), _unflat(vt[1], center), share


def project(points: Sequence[Weights], center: Weights, d1: Weights, d2: Weights
            ) -> np.ndarray:
    """``(T, 2)`` coordinates ``(α, β)`` with ``θ_t − center ≈ α·d1 + β·d2`` (least
    squares: the directions need not be orthogonal)."""
    a, b, c = _flat(d1), _flat(d2), _flat(center)
    gram = np.array([[a @ a, a @ b], [a @ b, b @ b]])  # (2, 2)
    rhs = np.stack([[a @ (_flat(p) - c), b @ (_flat(p) - c)] for p in points]) \
        if points else np.zeros((0, 2))  # (T, 2)
    return np.linalg.lstsq(gram, rhs.T, rcond=None)[0].T


def _moved(center: Weights, d1: Weights, d2: Weights, a: float, b: float) -> Weights:
    return [np.asarray(w, np.float64) + a * x + b * y for w, x, y in
            zip(center, d1, d2, strict=True)]


def surface(loss_at: LossAt, center: Weights, d1: Weights, d2: Weights,
            alphas: np.ndarray, betas: np.ndarray, progress: Progress | None = None,
            cancelled: Cancelled | None = None) -> np.ndarray:
    """``(len(betas), len(alphas))`` losses ``L(center + α·d1 + β·d2)``, row ``i`` at
    ``betas[i]``; rows not reached before ``cancelled()`` are NaN."""
    out = np.full((len(betas), len(alphas)), np.nan)
    total = out.size
    for i, b in enumerate(betas):
        if cancelled is not None and cancelled():
            break
        for j, a in enumerate(alphas):
            out[i, j] = loss_at(_moved(center, d1, d2, float(a), float(b)))
        if progress is not None:
            progress((i + 1) * len(alphas), total)
    return out


def interpolation(loss_at: LossAt, start: Weights, end: Weights, ts: np.ndarray,
                  progress: Progress | None = None) -> np.ndarray:
    """``L((1 − t)·start + t·end)`` for each ``t`` (t = 0 at ``start``, 1 at ``end``)."""
    out = np.empty(len(ts))
    for k, t in enumerate(ts):
        out[k] = loss_at([(1 - t) * np.asarray(s, np.float64) + t * np.asarray(e, np.float64)
                          for s, e in zip(start, end, strict=True)])
        if progress is not None:
            progress(k + 1, len(ts))
    return out
