"""Neuron tiles: each unit's picture in the diverging colours of its layer's range, the
captions marking the chosen and the switched-off units, sizes that fit."""

from __future__ import annotations

import numpy as np

from nntui.viz.tiles import PLAYGROUND, NeuronTiles
from tests.viz.cells import render_cells, render_text


def _layer(maps: np.ndarray, **kw: object) -> dict:
    return {"name": "dense", "activation": "tanh", "units": maps.shape[-1], "trainable": True,
            "ablated": [], "maps": maps, **kw}


def _rgb(color: object) -> tuple[int, int, int]:
    t = color.triplet  # type: ignore[attr-defined]
    return (t.red, t.green, t.blue)


def test_a_tile_shows_its_units_output_ymax_on_top_in_the_layers_colours() -> None:
    maps = np.zeros((2, 2, 2))
    maps[1, :, 0] = 2.0  # unit 1: +2 in the top row (row 1 is ymax), 0 below
    maps[:, :, 1] = -1.0  # unit 2: -1 everywhere
    tiles = NeuronTiles([_layer(maps)], width=20, height=40)
    assert tiles.plan() == (16, [2])
    cells = render_cells(tiles, 40)
    top, bottom = cells[1][0][1], cells[8][0][1]  # first tile: its first and last line
    assert cells[1][0][0] == "▀"
    assert _rgb(top.color) == tuple(PLAYGROUND.map(np.array(2.0), -2, 2))
    assert _rgb(bottom.bgcolor) == tuple(PLAYGROUND.map(np.array(0.0), -2, 2))
    second = render_cells(NeuronTiles([_layer(maps)], width=40, height=40), 40)
    assert _rgb(second[1][17][1].color) == tuple(PLAYGROUND.map(np.array(-1.0), -2, 2))


def test_captions_mark_the_chosen_and_the_switched_off_units() -> None:
    layer = _layer(np.ones((4, 4, 3)), ablated=[1], trainable=False)
    tiles = NeuronTiles([layer], width=60, height=12, chosen=("dense", 2))
    text = render_text(tiles, 60)
    assert text[0].startswith("dense · 3 units · tanh · frozen · off: 2")
    w, _ = tiles.plan()
    caption = render_cells(tiles, 60)[1 + w // 2]
    labels = "".join(ch for ch, _ in caption).split()
    assert labels == ["1", "✕2", "3"]
    styles = {ch: style for ch, style in caption if ch.strip()}
    assert styles["3"].reverse and styles["✕"].color.name == "red"


def test_the_largest_tile_that_fits_or_the_first_units_that_do() -> None:
    many = _layer(np.zeros((4, 4, 40)))
    two = [many, {**many, "name": "dense_1"}]
    assert NeuronTiles(two, width=40, height=32).plan() == (4, [40, 40])  # 2 × (1 + 5 × 3)
    assert NeuronTiles(two, width=40, height=31).plan() == (4, [32, 32])  # a row less each
    assert len(render_text(NeuronTiles(two, width=40, height=31), 40)) <= 31
    small = NeuronTiles([many], width=20, height=6)
    assert small.plan() == (4, [4])
    assert render_text(small, 20)[0] == "dense · 4 of 40 unit"
    assert len(render_text(small, 20)) <= 6
