"""Weight initialisers with Keras's names and formulas (NumPy, seeded).

Each returns a NumPy array; the layer converts it to its backend once, at build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nntui.errors import ConfigError

Initializer = Callable[[tuple[int, ...], np.random.Generator], np.ndarray]


def _fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Keras's fan computation: conv kernels (kh, kw, in, out) count the receptive field."""
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-l, l) with l = sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def glorot_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Truncated N(0, s) with s = sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _truncated(shape, np.sqrt(2.0 / (fan_in + fan_out)), rng)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-l, l) with l = sqrt(6 / fan_in), for ReLU layers."""
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, shape)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Truncated N(0, s) with s = sqrt(2 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _truncated(shape, np.sqrt(2.0 / fan_in), rng)


def _truncated(shape: tuple[int, ...], stddev: float, rng: np.random.Generator) -> np.ndarray:
    # Keras draws from N(0, 1) truncated at 2 std, scaled so the variance is stddev**2
    stddev = stddev / 0.87962566103423978
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


def orthogonal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A (semi-)orthogonal matrix, Keras's default recurrent kernel."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q[:rows, :cols].reshape(shape)


def zeros(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return np.ones(shape)


def random_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-0.05, 0.05), Keras's default for embeddings."""
    return rng.uniform(-0.05, 0.05, shape)


def random_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, 0.05)."""
    return rng.normal(0.0, 0.05, shape)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "orthogonal": orthogonal,
    "zeros": zeros,
    "ones": ones,
    "random_uniform": random_uniform,
    "random_normal": random_normal,
}


def get_initializer(spec: Any) -> Initializer:
    """Resolve a name (``"he_normal"``) or a callable ``(shape, rng) -> ndarray``."""
    if callable(spec):
        return spec  # type: ignore[no-any-return]
    if isinstance(spec, str) and spec.lower() in INITIALIZERS:
        return INITIALIZERS[spec.lower()]
    raise ConfigError(
        f"unknown initializer {spec!r}; choose one of {', '.join(sorted(INITIALIZERS))}"
    )
