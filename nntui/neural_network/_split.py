"""The validation split of ``early_stopping=True``, drawn exactly as scikit-learn's
``train_test_split(X, y, random_state=rs, test_size=f, stratify=s)`` draws it, from the
same ``RandomState``: with the same ``random_state`` both estimators hold out the same
samples, and the generator is left in the same state for the shuffles that follow.

Args of both functions: ``n`` samples, the validation ``fraction`` and ``rs`` (a
``numpy.random.RandomState``, consumed). They return (train indices, validation indices).
"""

from __future__ import annotations

import math

import numpy as np

from nntui.errors import ConfigError


def split_sizes(n: int, fraction: float) -> tuple[int, int]:
    """(n_train, n_val): the validation part is ``ceil(fraction · n)``.

    Raises:
        ConfigError: an empty training set.
    """
    n_val = math.ceil(fraction * n)
    if n - n_val <= 0:
        raise ConfigError(f"With n_samples={n} and validation_fraction={fraction}, the "
                          "training set would be empty. Lower validation_fraction.")
    return n - n_val, n_val


def shuffle_split(n: int, fraction: float, rs: np.random.RandomState
                  ) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``ShuffleSplit``: one permutation, the first n_val held out."""
    n_train, n_val = split_sizes(n, fraction)
    perm = rs.permutation(n)
    return perm[n_val:n_val + n_train], perm[:n_val]


def stratified_split(y: np.ndarray, fraction: float, rs: np.random.RandomState
                     ) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``StratifiedShuffleSplit`` on the binarized targets ``y`` (n, k).

    Rows are keyed by their text, as scikit-learn keys 2-D targets (``"False True"``), so
    the classes come in the same order and the same random numbers pick the same samples.

    Raises:
        ConfigError: a class with a single sample, or fewer samples than classes per side.
    """
    n_train, n_val = split_sizes(len(y), fraction)
    keys = np.array([" ".join(row.astype(bool).astype(str)) for row in y.reshape(len(y), -1)])
    classes, y_idx, counts = np.unique(keys, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ConfigError("The least populated class in y has only 1 member, which is too few "
                          "for a stratified validation split (early_stopping=True).")
    if n_train < len(classes) or n_val < len(classes):
        raise ConfigError(f"The validation split ({n_val} of {len(y)} samples) must hold at "
                          f"least one sample per class ({len(classes)}) on each side. "
                          "Change validation_fraction.")
    members = np.split(np.argsort(y_idx, kind="stable"), np.cumsum(counts)[:-1])
    n_i = approximate_mode(counts, n_train, rs)
    t_i = approximate_mode(counts - n_i, n_val, rs)
    train: list[int] = []
    val: list[int] = []
    for i in range(len(classes)):
        chosen = members[i].take(rs.permutation(counts[i]), mode="clip")
        train.extend(chosen[:n_i[i]])
        val.extend(chosen[n_i[i]:n_i[i] + t_i[i]])
    return rs.permutation(train), rs.permutation(val)


def approximate_mode(counts: np.ndarray, draws: int, rs: np.random.RandomState) -> np.ndarray:
    """Per-class sample counts for ``draws`` draws, proportional to ``counts``; the
    remainder goes to the largest fractional parts, ties broken at random (scikit-learn's
    ``_approximate_mode``)."""
    continuous = counts / counts.sum() * draws
    floored = np.floor(continuous)
    need = int(draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add = min(len(inds), need)
            inds = rs.choice(inds, size=add, replace=False)
            floored[inds] += 1
            need -= add
            if need == 0:
                break
    return floored.astype(int)
