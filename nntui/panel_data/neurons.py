"""Every hidden unit's output over the 2-D input plane, layer by layer (TensorFlow
Playground's neuron pictures), with what surgery did to each layer.

Runs on the trainer's thread at snapshot time (see :mod:`nntui.panel_data.common`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.numeric import Extent, grid_points
from nntui.panel_data.common import layer_outputs

TILE_W, TILE_H = 24, 18  # grid of each unit's picture (the panel resamples it to its tiles)
MAX_UNITS = 64  # units kept per layer


def neuron_tiles(model: Learner, extent: Extent) -> dict[str, Any]:
    """``tiles``: one entry per hidden layer with units: its name, activation, unit count,
    whether it trains, its switched-off units, and ``maps (TILE_H, TILE_W, U)`` — each
    unit's output over the plane (row 0 at ymin, as :func:`grid_points`)."""
    pts = grid_points(extent, TILE_W, TILE_H).astype(np.float32)  # (TH·TW, 2)
    layers = list(model.layers)
    outs = layer_outputs(model, pts)
    tiles = []
    for i, layer in enumerate(layers[:-1]):
        if not layer.params or outs[i].ndim != 2:
            continue
        after = i + 1  # a separate Activation layer right after it gives the unit's output
        shown = after if after < len(layers) - 1 and type(layers[after]).__name__ in (
            "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax") else i
        maps = outs[shown].reshape(TILE_H, TILE_W, -1)[..., :MAX_UNITS]
        mask = layer.unit_mask
        off = [] if mask is None else [int(u) for u in np.flatnonzero(
            model.ops.to_numpy(mask) == 0)]
        tiles.append({"name": layer.name, "activation": _activation(layer, layers[shown]),
                      "units": int(outs[i].shape[-1]), "trainable": bool(layer.trainable),
                      "ablated": off, "maps": maps.astype(np.float32)})
    return {"tiles": tiles}


def _activation(layer: Any, shown: Any) -> str:
    fn = getattr(shown, "activation", None) or getattr(shown, "fn", None)
    name = getattr(fn, "name", None) or getattr(layer, "activation_name", None)
    return str(name or "linear")
