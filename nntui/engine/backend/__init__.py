"""Backends: ``get_backend("numpy" | "mlx" | "auto")``."""

from __future__ import annotations

import platform
from functools import cache

from nntui.engine.backend.base import Array, Backend
from nntui.errors import BackendUnavailable, ConfigError

BACKENDS = ("auto", "numpy", "mlx")
MLX_INSTALL = ("pip install 'nntui[mlx]'  "
               "(or: pip install mlx  on Apple Silicon, 'mlx[cpu]' on Linux)")


def mlx_available() -> bool:
    """True when ``mlx.core`` imports on this machine."""
    try:
        import mlx.core  # noqa: F401
    except Exception:  # an import of a native extension can fail in many ways
        return False
    return True


def resolve_backend_name(name: str = "auto") -> str:
    """``auto`` means MLX on Apple Silicon when installed, NumPy elsewhere."""
    if name not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}. "
                          f"Received: backend={name!r}")
    if name == "auto":
        apple = platform.system() == "Darwin" and platform.machine() == "arm64"
        return "mlx" if apple and mlx_available() else "numpy"
    return name


@cache
def get_backend(name: str = "auto", dtype: str = "float32") -> Backend:
    """Return the (shared) backend object for ``name``.

    Raises:
        BackendUnavailable: ``mlx`` was asked for but is not installed.
    """
    name = resolve_backend_name(name)
    if name == "numpy":
        from nntui.engine.backend.numpy import NumpyBackend

        return NumpyBackend(dtype)
    if not mlx_available():
        raise BackendUnavailable(
            f"the MLX backend is not installed. Install it with: {MLX_INSTALL}")
    from nntui.engine.backend.mlx import MlxBackend

    return MlxBackend(dtype)


__all__ = ["Array", "Backend", "BACKENDS", "get_backend", "mlx_available", "resolve_backend_name"]
