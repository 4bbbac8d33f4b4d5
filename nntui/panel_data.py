"""Data for the architecture panels, computed at snapshot time on the trainer's thread.

Plain NumPy only; the app's panels turn it into renderables with ``nntui.viz``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRID = 48  # decision-boundary resolution (GRID x GRID points)


def decision_grid(model: Any, x: np.ndarray, n: int = GRID) -> dict[str, Any]:
    """Model outputs over a grid covering 2-D data: the decision boundary's background."""
    lo, hi = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n))
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    probs = model.predict_arrays(pts, batch_size=4096)
    return {"grid": probs.reshape(n, n, -1), "extent": (float(lo[0]), float(hi[0]),
                                                         float(lo[1]), float(hi[1]))}


def panel_data(session: Any, model: Any, x_val: Any, y_val: Any) -> dict[str, Any]:
    """Per-architecture extras for SnapshotTaken.extras (bounded size)."""
    arch = session.spec.architecture
    ds = session.dataset
    out: dict[str, Any] = {"architecture": arch}
    if arch in ("perceptron", "mlp") and ds.input_shape == (2,):
        out.update(decision_grid(model, session.x_train))
        out["points"] = session.x_train[:400]
        out["labels"] = session.y_train[:400]
    return out
