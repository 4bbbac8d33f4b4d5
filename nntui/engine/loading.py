"""``load_model(path)``: rebuild a model written by ``model.save`` (``saving.py``)."""

from __future__ import annotations

import os

from nntui.engine.layers import get_layer_class
from nntui.engine.model import Sequential
from nntui.engine.saving import FORMAT, read, restore_optimizer
from nntui.errors import CheckpointError


def load_model(path: str | os.PathLike[str], compile: bool = True) -> Sequential:
    """Rebuild a model written by ``save_model``, compiled as it was (``compile=True``).

    Raises:
        CheckpointError: the file is missing, damaged, or not an nntui model.
    """
    meta, arrays = read(path)
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an nntui model file (format {meta.get('format')!r})")
    layers = [get_layer_class(e["class_name"])(**e["config"]) for e in meta["layers"]]
    model = Sequential(layers, name=meta["name"], backend=meta["backend"], dtype=meta["dtype"])
    model.input_shape = tuple(meta["input_shape"])  # may hold None (any sequence length)
    model.build()
    model.set_weights([arrays[f"weights/{i}"] for i in range(len(model.get_weights()))])
    if compile and meta.get("compile"):
        model.compile(**meta["compile"])
        restore_optimizer(model, arrays)
    return model
