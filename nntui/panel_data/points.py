"""Perceptron and MLP on 2-D points (decision regions, neuron outputs) and 1-D regression."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.numeric import data_extent, grid_points
from nntui.panel_data.common import class_names, layer_outputs
from nntui.panel_data.neurons import neuron_tiles

GRID_W, GRID_H = 48, 36  # decision-grid resolution; panels resample it to their size
MAX_POINTS = 400  # data points drawn over the regions
MAX_NEURONS = 16  # first-layer units whose output maps are kept
CURVE_POINTS = 160  # x positions of a regression curve


def class_probs(out: np.ndarray) -> np.ndarray:
    """Model outputs ``(N, K)`` softmax or ``(N, 1)`` sigmoid/step -> ``(N, K≥2)`` summing to 1."""
    out = np.asarray(out, dtype=np.float32)
    if out.shape[-1] == 1:
        p = np.clip(out, 0.0, 1.0)
        return np.concatenate([1.0 - p, p], axis=-1)
    return out


def decision_grid(model: Any, x: np.ndarray, gw: int = GRID_W, gh: int = GRID_H
                  ) -> dict[str, Any]:
    """Class probabilities over a ``gh × gw`` grid covering the data, row 0 at ymin.

    Follows :func:`nntui.viz.grid_points`, so ``grid`` goes straight into
    :class:`nntui.viz.DecisionBoundary`. Also the first hidden layer's output per
    unit over the same grid (``neurons``, ``(gh, gw, U)``) when the model has one.
    """
    extent = data_extent(x)
    pts = grid_points(extent, gw, gh).astype(np.float32)  # (gh·gw, 2)
    layers = model.layers
    hidden = next((i for i, ly in enumerate(layers[:-1]) if ly.params), None)
    outs = layer_outputs(model, pts)
    out: dict[str, Any] = {"grid": class_probs(outs[-1]).reshape(gh, gw, -1), "extent": extent}
    if hidden is not None:
        after = hidden + 1  # a separate Activation layer right after the Dense one
        act = after if after < len(layers) - 1 and not layers[after].params else hidden
        units = outs[act].reshape(gh, gw, -1)[..., :MAX_NEURONS]  # (gh, gw, U)
        out.update(neurons=units.astype(np.float32), neuron_layer=layers[hidden].name)
    return out


def points_data(session: Any, model: Any) -> dict[str, Any]:
    """Decision regions with the training points (2-D classification)."""
    ds = session.dataset
    x, y = session.x_train, session.y_train
    out = decision_grid(model, x)
    k = out["grid"].shape[-1]
    take = np.linspace(0, len(x) - 1, min(MAX_POINTS, len(x))).round().astype(np.int64)
    out.update(kind="boundary", points=x[take].astype(np.float32),
               labels=np.asarray(y).reshape(-1)[take].astype(np.int64),
               class_names=class_names(ds, k))
    out.update(neuron_tiles(model, out["extent"]))
    return out


def regression_data(session: Any, model: Any) -> dict[str, Any]:
    """The model's curve over the inputs' range, with the training points."""
    x, y = session.x_train.reshape(-1), np.asarray(session.y_train).reshape(-1)
    lo, hi = float(x.min()), float(x.max())
    xs = np.linspace(lo, hi, CURVE_POINTS, dtype=np.float32)
    ys = model.predict_arrays(xs.reshape(-1, 1), batch_size=CURVE_POINTS).reshape(-1)
    take = np.linspace(0, len(x) - 1, min(MAX_POINTS, len(x))).round().astype(np.int64)
    return {"kind": "regression", "curve_x": xs, "curve_y": ys.astype(np.float32),
            "points": np.stack([x[take], y[take]], axis=1).astype(np.float32)}
