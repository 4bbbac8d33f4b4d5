"""The common dataset type and the small helpers every loader shares.

A loader returns a :class:`Dataset`: train and held-out arrays plus what a model
and the app need to know about them (task, classes, per-sample input shape).
Layouts follow the engine: images ``(N, H, W, C)``, sequences ``(N, T, F)``,
token sequences ``(N, T)``; inputs are float32 (token ids int64), class labels
int64 class indices, regression targets float32 ``(N, k)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.errors import DatasetError

TASKS = ("classification", "regression", "sequence", "generation", "language", "translation")
"""What the targets are.

``classification``: int64 class indices, use a cross-entropy loss.
``regression``: float32 targets ``(N, k)``, use MSE.
``sequence``: sequence forecasting, float32 targets ``(N, k)`` (the next value), use MSE.
``generation``: unlabelled samples for a generative model.
``language``: int64 token ids ``(N, T)``, targets are the next tokens ``(N, T)``.
``translation``: int64 ids ``(N, S + T)`` (source, then the decoder's input), targets the
    output sequence ``(N, T)`` (see :mod:`nntui.data.dates`).
"""

INPUT_KINDS = ("points2d", "vector", "image", "sequence", "text", "pairs")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset split into a training part and a held-out test part.

    Attributes:
        name: registry name, e.g. ``"spiral"``.
        x_train: training inputs, float32 (int64 token ids for text).
        y_train: training targets, int64 class indices or float32 values.
        x_test: held-out inputs.
        y_test: held-out targets.
        task: one of :data:`TASKS`.
        num_classes: number of classes (vocabulary size for ``language``), else ``None``.
        class_names: one name per class, or ``None``.
        input_shape: shape of one sample, e.g. ``(28, 28, 1)``.
        description: one line for the launcher.
        meta: anything else (``vocab`` for text, scaling used, source files).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    num_classes: int | None
    class_names: tuple[str, ...] | None
    input_shape: tuple[int, ...]
    description: str
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise DatasetError(f"task must be one of {TASKS}. Received: task={self.task!r}")
        for x, y, part in (
            (self.x_train, self.y_train, "train"),
            (self.x_test, self.y_test, "test"),
        ):
            if len(x) != len(y):
                raise DatasetError(
                    f"dataset {self.name!r}: {part} inputs and targets differ in length "
                    f"({len(x)} vs {len(y)})"
                )

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return len(self.x_train)

    @property
    def n_test(self) -> int:
        """Number of held-out samples."""
        return len(self.x_test)


@dataclass(frozen=True)
class DatasetInfo:
    """A registry entry: what a dataset is and how to load it.

    Attributes:
        name: registry name.
        task: one of :data:`TASKS`.
        input_kind: one of :data:`INPUT_KINDS`.
        description: one line for ``nntui list`` and the launcher.
        needs_download: True when the first use may fetch files from the network.
        loader: ``loader(*, seed, n_samples, **options) -> Dataset``.
    """

    name: str
    task: str
    input_kind: str
    description: str
    needs_download: bool
    loader: Callable[..., Dataset]


def make_rng(seed: int) -> np.random.Generator:
    """Create the one random generator a loader uses.

    Args:
        seed: a non-negative integer.

    Returns:
        ``numpy.random.default_rng(seed)``.

    Raises:
        DatasetError: if the seed is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer. Received: seed={seed!r}")
    return np.random.default_rng(int(seed))


MAX_COUNT = 100_000
"""Upper bound of every count option (classes, time steps, features, ...): a typo like
``num_classes = 1000000000`` is an error, not an out-of-memory kill."""
MAX_SAMPLES = 1_000_000
"""Upper bound of ``n_samples`` for generated data (files are bounded by their size)."""


def check_count(name: str, value: int, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """Check that an integer option lies in ``[minimum, maximum]``.

    Raises:
        DatasetError: quoting the bad value.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DatasetError(f"{name} must be an integer >= {minimum}. Received: {name}={value!r}")
    if value > maximum:
        raise DatasetError(f"{name} must be an integer <= {maximum}. Received: {name}={value!r}")
    return int(value)


def sample_count(n_samples: int | None, default: int, minimum: int = 2) -> int:
    """``n_samples``, or ``default`` when it is None, checked to be in ``[minimum, MAX_SAMPLES]``.

    Raises:
        DatasetError: quoting the bad value.
    """
    value = default if n_samples is None else n_samples
    return check_count("n_samples", value, minimum, MAX_SAMPLES)


MAX_ELEMENTS = 200_000_000
"""Upper bound of the numbers a generator makes (800 MB as float32): the counts are each
bounded, but their product (samples x steps x features) must be as well."""


def check_elements(count: int) -> None:
    """Refuse a generated dataset of more than :data:`MAX_ELEMENTS` numbers.

    Raises:
        DatasetError: with the count and the bound.
    """
    if count > MAX_ELEMENTS:
        raise DatasetError(f"these options make {count:,} numbers, more than the "
                           f"{MAX_ELEMENTS:,} a generated dataset may hold; lower n_samples, "
                           "timesteps or num_classes")


MAX_NOISE = 100.0
"""Upper bound of a generator's ``noise`` (a standard deviation; the data spans ~±3)."""


def check_noise(value: float) -> float:
    """Check a generator's ``noise``: a finite number in ``[0, MAX_NOISE]``.

    Raises:
        DatasetError: quoting the bad value.
    """
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.floating))
    if not ok or not 0.0 <= float(value) <= MAX_NOISE:
        raise DatasetError(f"noise must be a number from 0 to {MAX_NOISE:g} (a standard "
                           f"deviation). Received: noise={value!r}")
    return float(value)


def check_fraction(name: str, value: float) -> float:
    """Check that a fraction lies strictly between 0 and 1.

    Raises:
        DatasetError: quoting the bad value.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value < 1.0:
        raise DatasetError(f"{name} must be a number between 0 and 1. Received: {name}={value!r}")
    return float(value)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """Check that a string option is one of ``choices``.

    Raises:
        DatasetError: listing the valid choices.
    """
    if value not in choices:
        raise DatasetError(
            f"{name} must be one of {', '.join(choices)}. Received: {name}={value!r}"
        )
    return value


FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_numbers(array: np.ndarray, where: str, name: str = "x") -> None:
    """Refuse arrays nntui cannot train on: non-numeric or complex dtypes, NaN or inf, or
    values beyond float32's range (they become inf when the data is cast).

    Raises:
        DatasetError: naming the array and the index of the first bad value.
    """
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{where}: {name} holds {array.dtype} values; "
                           "the data must be real numbers")
    if array.dtype.kind != "f":
        return
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(array) | (np.abs(array) > FLOAT32_MAX)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = float(array[index])
        why = "is not a finite number" if not np.isfinite(value) else (
            "is beyond float32's range (±3.4e38)")
        raise DatasetError(f"{where}: {name}[{', '.join(map(str, index))}] = {value!r} {why}; "
                           "fix or drop that sample")


def holdout_split(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, test_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into train and held-out parts.

    Args:
        x: inputs ``(N, ...)``.
        y: targets ``(N, ...)``.
        rng: the loader's generator.
        test_fraction: share held out, in (0, 1); at least one sample each side.

    Returns:
        ``(x_train, y_train, x_test, y_test)``.

    Raises:
        DatasetError: if there are fewer than two samples.
    """
    n = len(x)
    if n < 2:
        raise DatasetError(f"need at least 2 samples to split train/test. Received: {n}")
    n_test = min(max(1, round(n * check_fraction("test_fraction", test_fraction))), n - 1)
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def standardize(x: np.ndarray) -> np.ndarray:
    """Scale each feature to zero mean and unit variance (float32).

    Constant features are only centred.
    """
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ((x - mean) / std).astype(np.float32)


def balanced_labels(n: int, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` int64 labels, each class as often as possible, shuffled."""
    return rng.permutation(np.arange(n, dtype=np.int64) % num_classes)
