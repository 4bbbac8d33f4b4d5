"""Mode coverage of a generator on a mixture of gaussians (the ring of 8, GAN Lab's example).

The measure of the unrolled-GAN and VEEGAN papers: draw ``n`` samples from G; a
sample is of *good quality* when it lies within ``3σ`` of the nearest mode's centre;
a mode is *covered* when at least ``min_share`` of its fair share (``n / k``) of
good samples land on it. A collapsed generator puts all its samples on one or a few
modes (few covered, quality can still be high); a blurry one spreads them between
modes (low quality).

Example:
    >>> cov = ModeCoverage.from_labelled(x_train, y_train)           # doctest: +SKIP
    >>> cov.measure(gan.sample(2000, rng))                           # doctest: +SKIP
    {'modes': 8.0, 'good': 0.93}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SAMPLES = 2000
MIN_SHARE = 0.2
"""A mode counts as covered with a fifth of its fair share of good samples (the fair
share of 2000 samples over 8 modes is 250; a fifth is 50)."""


@dataclass(frozen=True)
class ModeCoverage:
    """How many of the ``centres`` a generator's samples cover, and how many are good.

    Attributes:
        centres: ``(k, d)`` mode centres.
        sigma: the modes' standard deviation (one for all).
        min_share: the share of the fair ``n / k`` a covered mode needs.
    """

    centres: np.ndarray
    sigma: float
    min_share: float = MIN_SHARE

    @classmethod
    def from_labelled(cls, x: np.ndarray, labels: np.ndarray) -> ModeCoverage:
        """Centres as each label's mean, σ as the pooled within-mode standard deviation."""
        x, labels = np.asarray(x, np.float64), np.asarray(labels).ravel()
        ks = np.unique(labels)
        centres = np.stack([x[labels == k].mean(axis=0) for k in ks])
        resid = x - centres[np.searchsorted(ks, labels)]
        return cls(centres, float(np.sqrt(np.mean(resid ** 2))))

    def measure(self, samples: np.ndarray) -> dict[str, float]:
        """``{"modes": covered modes, "good": share of good-quality samples}``."""
        s = np.asarray(samples, np.float64).reshape(len(samples), -1)
        d2 = ((s[:, None, :] - self.centres[None, :, :]) ** 2).sum(-1)  # (n, k)
        nearest = d2.argmin(axis=1)
        good = np.sqrt(d2[np.arange(len(s)), nearest]) < 3.0 * self.sigma
        counts = np.bincount(nearest[good], minlength=len(self.centres))
        need = max(1, math.ceil(self.min_share * len(s) / len(self.centres)))
        return {"modes": float(np.sum(counts >= need)), "good": float(good.mean())}
