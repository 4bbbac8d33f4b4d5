"""Finite-difference gradient checks for layers and losses (float64, central differences)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend import get_backend


def build_layer(layer: Any, input_shape: tuple[int, ...], seed: int = 0,
                backend: str = "numpy", dtype: str = "float64") -> Any:
    """Build ``layer`` on a float64 NumPy backend (or another) for a per-sample shape."""
    layer.ops = get_backend(backend, dtype)
    layer.build(tuple(input_shape), np.random.default_rng(seed))
    return layer


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a−b| / max(|a|+|b|, tiny): relative error of two gradient arrays."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-12))


def layer_gradients(layer: Any, x: np.ndarray, seed: int = 1, training: bool = False,
                    eps: float = 1e-6) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Analytic and numeric gradients of L = Σ(out ⊙ R) w.r.t. the input and every param.

    Returns:
        ``{"input": (analytic, numeric), "<param>": (analytic, numeric), ...}``
    """
    ops = layer.ops
    rng = np.random.default_rng(seed)
    out = ops.to_numpy(layer.forward(ops.asarray(x), training=training))
    r = rng.standard_normal(out.shape)

    def loss() -> float:
        return float(np.sum(ops.to_numpy(layer.forward(ops.asarray(x), training=training)) * r))

    layer.zero_grad()
    layer.forward(ops.asarray(x), training=training)
    gx = ops.to_numpy(layer.backward(ops.asarray(r)))
    result = {"input": (gx, _numeric(loss, x, eps))} if np.issubdtype(x.dtype, np.floating) else {}
    for name, p in layer.params.items():
        analytic = ops.to_numpy(layer.grads[name])
        arr = ops.to_numpy(p).copy()

        def loss_p(arr: np.ndarray = arr, name: str = name) -> float:
            layer.params[name] = ops.asarray(arr)
            return loss()

        num = _numeric(loss_p, arr, eps)
        layer.params[name] = ops.asarray(arr)
        result[name] = (analytic, num)
    return result


def _numeric(f: Any, arr: np.ndarray, eps: float) -> np.ndarray:
    """Central differences of f() with respect to every element of arr (modified in place)."""
    grad = np.zeros_like(arr, dtype=np.float64)
    flat, gflat = arr.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def assert_layer_gradients(layer: Any, x: np.ndarray, tol: float = 1e-6, **kw: Any) -> None:
    """Every gradient of the layer agrees with finite differences to ``tol`` relative error."""
    for name, (a, n) in layer_gradients(layer, x, **kw).items():
        err = rel_error(a, n)
        assert err < tol, f"{type(layer).__name__} grad {name}: relative error {err:.2e}"
