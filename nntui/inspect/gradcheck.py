"""A numeric gradient check of one layer on the inspected batch.

Central differences of the batch loss, (L(w + ε) − L(w − ε)) / 2ε, for a sample of the
layer's parameters, against the engine's explicit backward. On NumPy both run on a
float64 copy of the model (ε = 1e-6), so the relative errors are ~1e-8 when the
backward is right; MLX has no float64 on every device, so there the check runs on
the model itself in float32 (ε = 1e-3) with a looser tolerance. The model's own
weights are restored exactly either way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.engine.backend import get_backend
from nntui.engine.backend.base import Backend
from nntui.engine.trace import traced_step

F64 = {"eps": 1e-6, "rtol": 1e-5, "atol": 1e-9}
F32 = {"eps": 1e-3, "rtol": 5e-2, "atol": 1e-4}


@dataclass(frozen=True)
class GradCheckRow:
    """One checked parameter element."""

    param: str
    index: tuple[int, ...]
    analytic: float
    numeric: float

    @property
    def rel_error(self) -> float:
        """|a − n| / max(|a| + |n|, 1e-12), gradcheck.py's measure for one element."""
        return abs(self.analytic - self.numeric) / max(
            abs(self.analytic) + abs(self.numeric), 1e-12
        )


@dataclass(frozen=True)
class GradCheckResult:
    """The check of one layer: rows, the precision it ran in and its tolerances."""

    layer: str
    rows: tuple[GradCheckRow, ...]
    dtype: str
    eps: float
    rtol: float
    atol: float

    def row_ok(self, row: GradCheckRow) -> bool:
        return row.rel_error < self.rtol or abs(row.analytic - row.numeric) < self.atol

    @property
    def passed(self) -> bool:
        return all(self.row_ok(r) for r in self.rows)

    @property
    def max_rel_error(self) -> float:
        return max((r.rel_error for r in self.rows), default=0.0)


def float64_copy(model: Any) -> Any:
    """A float64 NumPy copy of a NumPy ``Sequential`` (weights, optimizer and all)."""
    clone = copy.deepcopy(model)
    ops = get_backend("numpy", "float64")
    clone.ops = ops
    seen: set[int] = set()
    for layer in clone.layers:
        _retarget(layer, ops, seen)
    return clone


def _retarget(obj: Any, ops: Backend, seen: set[int]) -> None:
    """Point ``obj`` and everything it holds at ``ops`` and cast its params to float64."""
    if id(obj) in seen or not hasattr(obj, "__dict__"):
        return
    seen.add(id(obj))
    if isinstance(getattr(obj, "ops", None), Backend):
        obj.ops = ops
    params = getattr(obj, "params", None)
    if isinstance(params, dict):
        for k, v in list(params.items()):
            params[k] = np.asarray(v, np.float64)
    for v in vars(obj).values():
        items = v if isinstance(v, (list, tuple)) else v.values() if isinstance(v, dict) else [v]
        for item in items:
            if hasattr(item, "__dict__") and hasattr(item, "ops"):
                _retarget(item, ops, seen)


def batch_loss(model: Any) -> Callable[[np.ndarray, np.ndarray], float]:
    """L(x, y): the model's mean loss on a batch in inference mode (as traced_step's)."""

    def loss(x: np.ndarray, y: np.ndarray) -> float:
        xb, yb = model.prepare(x, y)
        ops = model.ops
        pred = model.forward(ops.asarray(xb), training=False)
        value, _, _ = model.compute_loss_and_grad(ops.asarray(yb), pred)
        return float(ops.item(value))

    return loss


def sample_indices(
    shape: tuple[int, ...], k: int, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    """Up to ``k`` distinct element indices of an array of ``shape``."""
    size = int(np.prod(shape))
    flat = rng.choice(size, size=min(k, size), replace=False)
    return [tuple(int(i) for i in np.unravel_index(int(j), shape)) for j in sorted(flat)]


def gradient_check(
    model: Any, x: np.ndarray, y: np.ndarray, layer: int, *, per_param: int = 4, seed: int = 0
) -> GradCheckResult:
    """Analytic against numeric gradients of ``model.layers[layer]``'s parameters.

    Args:
        model: a compiled, built Sequential (left unchanged).
        x, y: the batch (the inspector's).
        layer: the layer's index.
        per_param: elements checked per parameter array.
        seed: chooses the elements.
    """
    work = float64_copy(model) if model.backend == "numpy" else model
    tol = F64 if model.backend == "numpy" else F32
    trace = traced_step(work, x, y)
    analytic = trace.layers[layer].grads
    target = work.layers[layer]
    loss = batch_loss(work)
    ops = work.ops
    rng = np.random.default_rng(seed)
    rows = []
    for name in list(target.params):
        if name not in analytic:
            continue
        original = target.params[name]
        values = np.array(ops.to_numpy(original), dtype=np.float64)
        try:
            for idx in sample_indices(values.shape, per_param, rng):
                rows.append(
                    GradCheckRow(
                        name,
                        idx,
                        float(analytic[name][idx]),
                        _central(target, name, values, idx, tol["eps"], loss, x, y),
                    )
                )
        finally:
            target.params[name] = original  # the very same array: exact restore
    dtype = "float64" if model.backend == "numpy" else "float32"
    return GradCheckResult(target.name, tuple(rows), dtype, tol["eps"], tol["rtol"], tol["atol"])


def _central(
    layer: Any,
    name: str,
    values: np.ndarray,
    idx: tuple[int, ...],
    eps: float,
    loss: Callable[[np.ndarray, np.ndarray], float],
    x: np.ndarray,
    y: np.ndarray,
) -> float:
    ops = layer.ops
    out = []
    for sign in (1.0, -1.0):
        moved = values.copy()
        moved[idx] += sign * eps
        layer.params[name] = ops.asarray(moved, ops.dtype)
        out.append(loss(x, y))
    return (out[0] - out[1]) / (2 * eps)
