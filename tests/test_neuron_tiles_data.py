"""The neuron tiles' data: every hidden unit's output over the plane equals the layer's
forward pass written out in NumPy, with the switched-off units and frozen layers said."""

from __future__ import annotations

import numpy as np

from nntui.engine.layers import Dense
from nntui.engine.model import Input, Sequential
from nntui.engine.surgery import Surgery
from nntui.numeric import grid_points
from nntui.panel_data.neurons import TILE_H, TILE_W, neuron_tiles


def test_each_hidden_units_map_is_its_output_over_the_grid() -> None:
    model = Sequential([Input((2,)), Dense(3, activation="tanh"), Dense(4, activation="relu"),
                        Dense(2, activation="softmax")], backend="numpy", seed=1)
    Surgery("ablate", "dense_1", unit=1).apply(model)
    Surgery("freeze", "dense").apply(model)
    extent = (-2.0, 1.0, -1.0, 3.0)
    tiles = neuron_tiles(model, extent)["tiles"]
    assert [(t["name"], t["units"], t["activation"], t["trainable"], t["ablated"])
            for t in tiles] == [("dense", 3, "tanh", False, []), ("dense_1", 4, "relu", True, [1])]
    w = [np.asarray(a, np.float64) for a in model.get_weights()]
    pts = grid_points(extent, TILE_W, TILE_H)
    h1 = np.tanh(pts @ w[0] + w[1])
    h2 = np.maximum(h1 @ w[2] + w[3], 0.0) * np.array([1, 0, 1, 1])
    np.testing.assert_allclose(tiles[0]["maps"], h1.reshape(TILE_H, TILE_W, 3), atol=1e-5)
    np.testing.assert_allclose(tiles[1]["maps"], h2.reshape(TILE_H, TILE_W, 4), atol=1e-5)
    assert not tiles[1]["maps"][..., 1].any()
