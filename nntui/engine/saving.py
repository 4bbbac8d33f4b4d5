"""``model.save(path)`` and ``save_weights`` / ``load_weights``, without pickle
(``loading.py`` has ``load_model``).

A saved model is one ``.npz`` archive: a ``__model__`` member holding the architecture,
the compile arguments and the optimizer's configuration as UTF-8 JSON bytes, one member
per weight (``weights/0``, ``weights/1``, … in ``get_weights`` order) and one per
optimizer slot (``optimizer/dense/kernel/m``) with the step count. Loading rebuilds every
layer from its config, so training continues where it stopped. The suffix is free:
``model.save("net.keras")`` writes this format too (Keras cannot read it).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nntui.errors import CheckpointError

FORMAT = "nntui-model/1"
META = "__model__"


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model`` (architecture, weights, compile arguments, optimizer state) to ``path``.

    Raises:
        CheckpointError: the model has no input shape yet, or the file cannot be written.
    """
    if not model.built:
        model.build()
    meta = {"format": FORMAT, "name": model.name, "backend": model.backend,
            "dtype": np.dtype(model.ops.dtype).name, "input_shape": list(model.input_shape),
            "layers": [_layer_entry(layer) for layer in model.layers],
            "compile": getattr(model, "compile_config", None)}
    arrays = {f"weights/{i}": w for i, w in enumerate(model.get_weights())}
    opt = model.optimizer
    if opt is not None:
        arrays["optimizer/iterations"] = np.array(opt.iterations)
        for key, slots in opt.state.items():
            for slot, value in slots.items():
                arrays[f"optimizer/{key}/{slot}"] = model.ops.to_numpy(value)
    _write(path, meta, arrays)


def save_weights(model: Any, path: str | os.PathLike[str]) -> None:
    """Write only the weights (``get_weights`` order) to ``path``."""
    if not model.built:
        model.build()
    _write(path, {"format": FORMAT, "weights_only": True},
           {f"weights/{i}": w for i, w in enumerate(model.get_weights())})


def load_weights(model: Any, path: str | os.PathLike[str]) -> None:
    """Set the model's weights from a file written by :func:`save_weights` or :func:`save_model`.

    Raises:
        CheckpointError: the file is missing or damaged; ShapeError: the weights do not fit.
    """
    _, arrays = read(path)
    n = sum(1 for k in arrays if k.startswith("weights/"))
    model.set_weights([arrays[f"weights/{i}"] for i in range(n)])


def _layer_entry(layer: Any) -> dict[str, Any]:
    from nntui.engine.layers import LAYER_NAMES, get_layer_class

    public = next((n for n in LAYER_NAMES if get_layer_class(n) is type(layer)),
                  type(layer).__name__)
    return {"class_name": public, "config": layer.get_config()}


def restore_optimizer(model: Any, arrays: dict[str, np.ndarray]) -> None:
    opt, ops = model.optimizer, model.ops
    opt.iterations = int(arrays.get("optimizer/iterations", 0))
    for name, value in arrays.items():
        if name.startswith("optimizer/") and name != "optimizer/iterations":
            key, _, slot = name[len("optimizer/"):].rpartition("/")
            opt.state.setdefault(key, {})[slot] = ops.asarray(value.copy(), ops.dtype)


def _write(path: str | os.PathLike[str], meta: dict[str, Any],
           arrays: dict[str, np.ndarray]) -> None:
    path = Path(path)
    members = {**arrays, META: np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)}
    tmp = path.with_name(f".{path.name}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, array in members.items():
                with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(f"cannot write {path}: {exc}") from exc


def read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"model file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as loaded:
            arrays = {name: loaded[name] for name in loaded.files}
        meta = json.loads(arrays.pop(META).tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"{path} is not a readable nntui model file: {exc}") from exc
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path} has invalid metadata")
    return meta, arrays
