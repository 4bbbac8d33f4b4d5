"""Layers, grouped by family; ``get_layer_class("Dense")`` resolves a name.

Each family lives in its own module; this index maps public names to modules so
that a family is imported only when used.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

from nntui.errors import ConfigError

_WHERE: dict[str, str] = {
    "Layer": "base",
    "Dense": "dense",
    "Dropout": "dropout",
    "Flatten": "reshaping",
    "Reshape": "reshaping",
    "Activation": "activations",
    "ReLU": "activations:ReLULayer",
    "LeakyReLU": "activations",
    "PReLU": "activations",
    "ELU": "activations",
    "Softmax": "activations",
    "Conv2D": "conv",
    "MaxPooling2D": "pooling",
    "AveragePooling2D": "pooling",
    "MaxPool2D": "pooling:MaxPooling2D",
    "AvgPool2D": "pooling:AveragePooling2D",
    "SimpleRNN": "recurrent",
    "LSTM": "lstm",
    "GRU": "gru",
    "Embedding": "embedding",
    "LayerNormalization": "normalization",
    "MultiHeadSelfAttention": "attention",
    "PositionalEmbedding": "attention",
    "TransformerBlock": "attention",
    "GlobalAveragePooling1D": "attention",
    "MultiHeadCrossAttention": "cross_attention",
    "TransformerDecoderBlock": "cross_attention",
    "Cropping1D": "reshaping",
    "MinibatchStdDev": "minibatch",
}
LAYER_NAMES = tuple(n for n in _WHERE if n != "Layer")


def get_layer_class(name: str) -> Any:
    """The layer class for a public name such as ``"Conv2D"``.

    Raises:
        ConfigError: unknown name, with the closest valid names.
    """
    if name not in _WHERE:
        close = difflib.get_close_matches(name, LAYER_NAMES, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(f"unknown layer type {name!r}.{hint}")
    module, _, attr = _WHERE[name].partition(":")
    mod = importlib.import_module(f"nntui.engine.layers.{module}")
    return getattr(mod, attr or name)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return get_layer_class(name)
    raise AttributeError(name)


__all__ = list(_WHERE) + ["get_layer_class", "LAYER_NAMES"]
