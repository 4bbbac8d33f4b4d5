"""Embedded 2-D and tabular generators: blobs, xor, circles, moons, spiral, gaussian,
regression1d and regression.

Every generator is deterministic for its ``seed``. 2-D classification inputs are
standardised to zero mean and unit variance per axis, which keeps linear
separability and makes decision-boundary plots share one scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.data.dataset import (
    Dataset,
    balanced_labels,
    check_choice,
    check_count,
    check_noise,
    holdout_split,
    make_rng,
    sample_count,
    standardize,
)


def _points(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    test_fraction: float,
    description: str,
    class_names: tuple[str, ...],
    meta: dict[str, Any] | None = None,
) -> Dataset:
    """Standardise 2-D points and wrap them in a classification :class:`Dataset`."""
    x_train, y_train, x_test, y_test = holdout_split(standardize(x), y, rng, test_fraction)
    return Dataset(
        name=name,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        task="classification",
        num_classes=len(class_names),
        class_names=class_names,
        input_shape=(2,),
        description=description,
        meta=meta or {},
    )


def _class_names(k: int) -> tuple[str, ...]:
    return tuple(f"class {i}" for i in range(k))


def load_blobs(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    noise: float = 0.6,
    margin: float = 0.3,
    test_fraction: float = 0.2,
) -> Dataset:
    """Two gaussian blobs that are strictly linearly separable (a perceptron converges).

    Along a random direction ``d`` class 0 lies below ``-margin`` and class 1 above
    ``+margin`` (points drawn past the line are folded back to their side).

    Args:
        seed: random seed.
        n_samples: total samples (default 400).
        noise: spread of each blob along ``d`` (blob centres at ±1.5).
        margin: half-width of the empty band between the classes, before scaling.
        test_fraction: share held out.
    """
    rng = make_rng(seed)
    n = sample_count(n_samples, 400, 2)
    noise = check_noise(noise)
    y = balanced_labels(n, 2, rng)
    sign = np.where(y == 1, 1.0, -1.0)
    along = sign * np.maximum(sign * (sign * 1.5 + noise * rng.standard_normal(n)), margin)
    across = rng.standard_normal(n)
    angle = rng.uniform(0, 2 * np.pi)
    d, perp = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    x = along[:, None] * d + across[:, None] * perp  # (N, 2)
    return _points(
        "blobs",
        x,
        y,
        rng,
        test_fraction,
        "two linearly separable blobs",
        ("blob 0", "blob 1"),
        {"direction": d.tolist()},
    )


def load_xor(
    *, seed: int = 0, n_samples: int | None = None, noise: float = 0.25, test_fraction: float = 0.2
) -> Dataset:
    """Four noisy clusters at (±1, ±1); label 1 where the signs of x and y differ."""
    rng = make_rng(seed)
    n = sample_count(n_samples, 400, 2)
    noise = check_noise(noise)
    corner = rng.integers(0, 4, size=n)
    centres = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)[corner]
    x = centres + noise * rng.standard_normal((n, 2))
    y = (centres[:, 0] * centres[:, 1] < 0).astype(np.int64)
    return _points(
        "xor",
        x,
        y,
        rng,
        test_fraction,
        "XOR: four clusters, not linearly separable",
        ("same sign", "different sign"),
    )


def load_circles(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    noise: float = 0.08,
    factor: float = 0.5,
    test_fraction: float = 0.2,
) -> Dataset:
    """Two concentric circles; the inner one (radius ``factor``) is class 1."""
    rng = make_rng(seed)
    n = sample_count(n_samples, 600, 2)
    noise = check_noise(noise)
    y = balanced_labels(n, 2, rng)
    radius = np.where(y == 1, factor, 1.0)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x += noise * rng.standard_normal((n, 2))
    return _points(
        "circles", x, y, rng, test_fraction, "two concentric circles", ("outer", "inner")
    )


def load_moons(
    *, seed: int = 0, n_samples: int | None = None, noise: float = 0.1, test_fraction: float = 0.2
) -> Dataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``)."""
    rng = make_rng(seed)
    n = sample_count(n_samples, 600, 2)
    noise = check_noise(noise)
    y = balanced_labels(n, 2, rng)
    t = rng.uniform(0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where((y == 0)[:, None], upper, lower) + noise * rng.standard_normal((n, 2))
    return _points(
        "moons", x, y, rng, test_fraction, "two interleaving half moons", ("upper", "lower")
    )


def load_spiral(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    num_classes: int = 3,
    noise: float = 0.2,
    turns: float = 0.65,
    test_fraction: float = 0.2,
) -> Dataset:
    """``num_classes`` interleaved spiral arms (the CS231n spiral).

    Arm ``k`` at radius ``r`` in [0, 1] has angle ``2*pi*(k/K + turns*r) + noise*N(0,1)``.
    With the defaults a two-layer MLP reaches well over 95 % held-out accuracy.
    """
    rng = make_rng(seed)
    n = sample_count(n_samples, 900, 2)
    noise = check_noise(noise)
    k = check_count("num_classes", num_classes, 2, max(2, n // 2))
    y = balanced_labels(n, k, rng)
    r = rng.uniform(0.05, 1.0, size=n)
    angle = 2 * np.pi * (y / k + turns * r) + noise * rng.standard_normal(n)
    x = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _points(
        "spiral", x, y, rng, test_fraction, f"{k} interleaved spiral arms", _class_names(k)
    )


def load_gaussian(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    num_classes: int | None = None,
    layout: str = "random",
    std: float | None = None,
    test_fraction: float = 0.2,
) -> Dataset:
    """A mixture of gaussians in 2-D; the label is the component.

    ``layout="ring"`` puts 8 (or ``num_classes``) narrow components on a circle:
    the classic GAN target on which mode collapse is easy to see.

    Args:
        num_classes: components (default 3 for ``random``, 8 for ``ring``).
        layout: ``"random"`` (centres uniform in a square) or ``"ring"``.
        std: component spread (default 0.5 random, 0.05 ring, radius 1 ring).
    """
    check_choice("layout", layout, ("random", "ring"))
    rng = make_rng(seed)
    n = sample_count(n_samples, 800, 2)
    k = check_count("num_classes", num_classes or (8 if layout == "ring" else 3), 1, max(1, n // 2))
    if layout == "ring":
        theta = 2 * np.pi * np.arange(k) / k
        centres = np.stack([np.cos(theta), np.sin(theta)], axis=1)
        spread = 0.05 if std is None else std
    else:
        centres = rng.uniform(-2.5, 2.5, size=(k, 2))
        spread = 0.5 if std is None else std
    y = balanced_labels(n, k, rng)
    x = centres[y] + spread * rng.standard_normal((n, 2))
    meta = {"layout": layout, "centres": centres.tolist()}
    x_train, y_train, x_test, y_test = holdout_split(_unit_scale(x), y, rng, test_fraction)
    return Dataset(
        "gaussian",
        x_train,
        y_train,
        x_test,
        y_test,
        "classification",
        k,
        _class_names(k),
        (2,),
        f"mixture of {k} gaussians ({layout})",
        meta,
    )


def _unit_scale(x: np.ndarray) -> np.ndarray:
    """Centre and divide by one common scale, so a ring stays round (float32)."""
    centred = x - x.mean(axis=0)
    return (centred / max(float(centred.std()), 1e-12)).astype(np.float32)


def load_regression1d(
    *, seed: int = 0, n_samples: int | None = None, noise: float = 0.1, test_fraction: float = 0.2
) -> Dataset:
    """Fit a curve: ``y = sin(1.5 x) + 0.3 x + noise`` for x uniform in [-3, 3].

    Shapes: x ``(N, 1)``, y ``(N, 1)``, both float32; x is not rescaled.
    """
    rng = make_rng(seed)
    n = sample_count(n_samples, 400, 2)
    noise = check_noise(noise)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))
    y = np.sin(1.5 * x) + 0.3 * x + noise * rng.standard_normal((n, 1))
    parts = holdout_split(x.astype(np.float32), y.astype(np.float32), rng, test_fraction)
    return Dataset(
        "regression1d",
        *parts,
        "regression",
        None,
        None,
        (1,),
        "1-D curve fit: y = sin(1.5x) + 0.3x + noise",
        {"formula": "sin(1.5x)+0.3x"},
    )


def load_regression(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    n_features: int = 5,
    noise: float = 0.1,
    test_fraction: float = 0.2,
) -> Dataset:
    """n-D regression: a random linear part plus ``sin(x0) * x1`` and ``x2**2 / 2``.

    x ~ N(0, I) of shape ``(N, n_features)``; y ``(N, 1)`` float32, standardised.
    """
    rng = make_rng(seed)
    n = sample_count(n_samples, 1000, 2)
    noise = check_noise(noise)
    f = check_count("n_features", n_features, 1)
    x = rng.standard_normal((n, f))
    w = rng.standard_normal(f)
    y = x @ w  # (N, F) @ (F,) -> (N,)
    if f >= 2:
        y = y + 2.0 * np.sin(x[:, 0]) * x[:, 1]
    if f >= 3:
        y = y + 0.5 * x[:, 2] ** 2
    y = (y - y.mean()) / max(float(y.std()), 1e-12) + noise * rng.standard_normal(n)
    parts = holdout_split(x.astype(np.float32), y[:, None].astype(np.float32), rng, test_fraction)
    return Dataset(
        "regression",
        *parts,
        "regression",
        None,
        None,
        (f,),
        f"{f}-D regression, linear plus nonlinear terms",
        {"weights": w.tolist()},
    )
