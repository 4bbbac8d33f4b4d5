"""Activation functions and their derivatives, written out for the inspector.

The engine's activations work on backend arrays and cache what backward needs;
here the same formulas act on NumPy numbers so one element's chain rule can be
written with its values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import LayerTrace
from nntui.inspect.explanation import f

# name -> (g'(z) as the course writes it, derivative from z and a = g(z))
DERIVATIVES: dict[str, tuple[str, Any]] = {
    "linear": ("g'(z) = 1", lambda z, a: np.ones_like(z)),
    "relu": ("g'(z) = 1 if z > 0 else 0", lambda z, a: (z > 0).astype(np.float64)),
    "sigmoid": ("g'(z) = a·(1 − a)", lambda z, a: a * (1.0 - a)),
    "tanh": ("g'(z) = 1 − a²", lambda z, a: 1.0 - a * a),
    "softplus": ("g'(z) = σ(z)", lambda z, a: 1.0 / (1.0 + np.exp(-z))),
    "exponential": ("g'(z) = e^z = a", lambda z, a: a),
    "binary_step": ("g'(z) = 0 (almost everywhere)", lambda z, a: np.zeros_like(z)),
    "step": ("g'(z) = 0 (almost everywhere)", lambda z, a: np.zeros_like(z)),
}


def activation_name(config: dict[str, Any]) -> str:
    """The layer's activation name from its config (``"linear"`` when None)."""
    name = config.get("activation")
    return "linear" if name is None else str(name).lower()


def derivative(
    name: str, z: np.ndarray, a: np.ndarray, config: dict[str, Any] | None = None
) -> tuple[str, np.ndarray] | None:
    """g'(z) elementwise with its formula, or None when g is not elementwise (softmax).

    Args:
        name: activation name.
        z: pre-activations; a: activations g(z) (same shape).
        config: the layer's config, for leaky ReLU's slope and ELU's alpha.
    """
    z = np.asarray(z, np.float64)
    a = np.asarray(a, np.float64)
    cfg = config or {}
    if name == "leaky_relu":
        s = float(cfg.get("negative_slope", 0.2))
        return f"g'(z) = 1 if z > 0 else {s}", np.where(z > 0, 1.0, s)
    if name == "elu":
        al = float(cfg.get("alpha", 1.0))
        return f"g'(z) = 1 if z > 0 else a + {al}", np.where(z > 0, 1.0, a + al)
    if name in DERIVATIVES:
        text, fn = DERIVATIVES[name]
        return text, fn(z, a)
    return None


def apply_activation(name: str, z: float, config: dict[str, Any] | None = None) -> float | None:
    """g(z) for one number, or None when g is not elementwise."""
    cfg = config or {}
    table: dict[str, Any] = {
        "linear": lambda v: v,
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
        "tanh": np.tanh,
        "softplus": lambda v: np.log1p(np.exp(v)),
        "exponential": np.exp,
        "binary_step": lambda v: 1.0 if v >= 0 else 0.0,
        "step": lambda v: 1.0 if v >= 0 else 0.0,
        "leaky_relu": lambda v: v if v > 0 else float(cfg.get("negative_slope", 0.2)) * v,
        "elu": lambda v: v if v > 0 else float(cfg.get("alpha", 1.0)) * (np.exp(v) - 1.0),
    }
    fn = table.get(name)
    return None if fn is None else float(fn(float(z)))


def stage_title(lt: LayerTrace, phase: str) -> str:
    """A stage's title, e.g. ``"forward · dense_1 (Dense)"``."""
    return f"{phase} · {lt.name} ({lt.kind})"


def activation_lines(
    name: str, z: float, a: float, row: np.ndarray | None, k: int, cfg: dict[str, Any], at: str
) -> list[str]:
    """``a = g(z)`` for one element with its numbers (softmax: over ``row``, entry k)."""
    if name == "softmax" and row is not None:
        e = np.exp(np.asarray(row, np.float64) - np.max(row))
        return [f"a{at} = e^z{at} / Σ_k e^z[k] = {f(e[k] / e.sum())}  (traced {f(a)})"]
    g = apply_activation(name, z, cfg)
    if g is None:
        return [f"a{at} = {f(a)}"]
    return [f"a{at} = {name}(z{at}) = {name}({f(z)}) = {f(g)}  (traced {f(a)})"]


def grad_z(lt: LayerTrace) -> np.ndarray:
    """dL/dz of a layer's batch (its pre-activation gradient)."""
    if "grad_z" in lt.internals:
        return lt.internals["grad_z"]
    assert lt.grad_output is not None  # a linear layer without its record: dL/dz = dL/da
    return lt.grad_output
