"""Keras-shaped layer namespace: ``from nntui import layers; layers.Dense(64)``."""

from __future__ import annotations

from typing import Any

from nntui.engine.layers import LAYER_NAMES, get_layer_class
from nntui.engine.model import Input


def __getattr__(name: str) -> Any:
    if name == "Input":
        return Input
    if name in LAYER_NAMES or name == "Layer":
        return get_layer_class(name)
    raise AttributeError(f"nntui.layers has no layer {name!r}")


def __dir__() -> list[str]:
    return sorted(LAYER_NAMES) + ["Input", "Layer"]
