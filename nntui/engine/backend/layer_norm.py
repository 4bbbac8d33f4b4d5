"""Layer normalisation's formulas over any backend's ops: the reference kernel.

``LayerNormalization`` names them (its docstring has the maths); NumPy runs them as
written unless the compiled last-axis kernels apply (``transformer_numba.py``, tested
equal), MLX runs them in its lazy graph.
"""

from __future__ import annotations

from typing import Any

from nntui.engine.backend.base import Array


def _broadcast_shape(x: Array, axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x.shape[a] if a in axes else 1 for a in range(x.ndim))


def layer_norm(ops: Any, x: Array, gamma: Array | None, beta: Array | None,
               axes: tuple[int, ...], epsilon: float) -> tuple[Array, Array, Array]:
    """y = γ ⊙ x̂ + β, x̂ = (x − μ)·rstd, rstd = 1/√(σ² + ε) over ``axes`` (non-negative).

    Returns ``(y, x̂, rstd)``; γ or β None leaves the scale or the shift out.
    """
    mu = ops.mean(x, axis=axes, keepdims=True)                     # (N, T, 1)
    xc = x - mu
    rstd = 1.0 / ops.sqrt(ops.mean(xc * xc, axis=axes, keepdims=True) + epsilon)
    x_hat = xc * rstd                                              # (N, T, D)
    y = x_hat
    bshape = _broadcast_shape(x, axes)
    if gamma is not None:
        y = y * ops.reshape(gamma, bshape)
    if beta is not None:
        y = y + ops.reshape(beta, bshape)
    return y, x_hat, rstd


def layer_norm_backward(ops: Any, grad: Array, x_hat: Array, rstd: Array, gamma: Array | None,
                        axes: tuple[int, ...]) -> tuple[Array, Array, Array]:
    """dL/dγ = Σ_batch g ⊙ x̂, dL/dβ = Σ_batch g (both γ's shape),
    dL/dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)), ĝ = g ⊙ γ (g when γ is None).

    Returns ``(dL/dx, dL/dγ, dL/dβ)``.
    """
    others = tuple(a for a in range(grad.ndim) if a not in axes)  # batch (and time)
    pshape = tuple(x_hat.shape[a] for a in axes)
    g_gamma = ops.reshape(ops.sum(grad * x_hat, axis=others), pshape)
    g_beta = ops.reshape(ops.sum(grad, axis=others), pshape)
    g = grad * ops.reshape(gamma, _broadcast_shape(x_hat, axes)) if gamma is not None else grad
    mean_g = ops.mean(g, axis=axes, keepdims=True)
    mean_gx = ops.mean(g * x_hat, axis=axes, keepdims=True)
    return rstd * (g - mean_g - x_hat * mean_gx), g_gamma, g_beta
