"""The MLP panel's view of every hidden unit over the plane (:class:`~nntui.viz.tiles.
NeuronTiles`), the unit chosen for surgery marked."""

from __future__ import annotations

from typing import Any

from nntui.app.panels.base import Section
from nntui.viz.tiles import NeuronTiles

TILES_TITLE = "every neuron over the input plane (blue < 0, dark 0, orange > 0)"


def tiles_section(extras: dict[str, Any], chosen: tuple[str, int] | None) -> Section | None:
    """The tiles view when the snapshot has hidden layers with units, else None."""
    layers = extras.get("tiles")
    if not layers:
        return None
    return Section(TILES_TITLE, lambda w, h: NeuronTiles(layers, w, h, chosen), 8)
