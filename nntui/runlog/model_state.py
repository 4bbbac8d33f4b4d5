"""Model and optimizer state <-> the flat named arrays of a checkpoint (no pickle)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.errors import CheckpointError


def _parts(model: Learner) -> Sequence[tuple[str, Any]]:
    """The Sequentials inside a learner: one, or a GAN's generator and discriminator."""
    return model.parts()


def state_arrays(model: Any) -> dict[str, np.ndarray]:
    """``{"m/w/dense/kernel": ..., "m/opt/dense/kernel/m": ..., "m/opt_iterations": ...}``."""
    out: dict[str, np.ndarray] = {}
    for tag, part in _parts(model):
        ops = part.ops
        for layer in part.layers:
            for name, value in layer.params.items():
                out[f"{tag}/w/{layer.name}/{name}"] = ops.to_numpy(value)
        opt = part.optimizer
        if opt is not None:
            out[f"{tag}/opt_iterations"] = np.array(opt.iterations)
            for key, slots in opt.state.items():
                for slot, value in slots.items():
                    out[f"{tag}/opt/{key}/{slot}"] = ops.to_numpy(value)
    return out


def non_finite_arrays(arrays: dict[str, np.ndarray]) -> list[str]:
    """Names of the float arrays holding NaN or inf (e.g. ``m/w/dense/kernel``).

    A checkpoint is written only when this is empty: divergence keeps the last good one.
    """
    return [name for name, a in arrays.items()
            if a.dtype.kind in "fc" and not np.isfinite(a).all()]


def restore_state(model: Any, arrays: dict[str, np.ndarray]) -> None:
    """Load weights and optimizer state saved by :func:`state_arrays` into a built model.

    Layers are matched by name, or, when the names differ but the layers line up (auto
    names such as ``dense_3`` depend on how many layers the process made before), by
    position; every shape is checked either way.

    Raises:
        CheckpointError: the checkpoint does not belong to this model (names or shapes differ).
    """
    for tag, part in _parts(model):
        ops = part.ops
        rename = _layer_names(tag, part, arrays)
        for layer in part.layers:
            for name, value in layer.params.items():
                key = f"{tag}/w/{rename.get(layer.name, layer.name)}/{name}"
                if key not in arrays:
                    raise CheckpointError(f"checkpoint has no weights for {layer.name}/{name}; "
                                          "it was written by a different model")
                if tuple(arrays[key].shape) != tuple(value.shape):
                    raise CheckpointError(
                        f"checkpoint weight {layer.name}/{name} has shape {arrays[key].shape}, "
                        f"the model needs {tuple(value.shape)}")
                layer.params[name] = ops.asarray(arrays[key].copy(), ops.dtype)
        opt = part.optimizer
        if opt is None:
            continue
        it = arrays.get(f"{tag}/opt_iterations")
        opt.iterations = int(it) if it is not None else 0
        prefix = f"{tag}/opt/"
        back = {saved: now for now, saved in rename.items()}
        opt.state = {}
        for key, value in arrays.items():
            if key.startswith(prefix):
                pkey, _, slot = key[len(prefix):].rpartition("/")
                lname, _, pname = pkey.rpartition("/")
                pkey = f"{back.get(lname, lname)}/{pname}"
                opt.state.setdefault(pkey, {})[slot] = ops.asarray(value.copy(), ops.dtype)


def _layer_names(tag: str, part: Any, arrays: dict[str, np.ndarray]) -> dict[str, str]:
    """``{model layer name: checkpoint layer name}`` where they differ."""
    prefix = f"{tag}/w/"
    saved = list(dict.fromkeys(k[len(prefix):].rpartition("/")[0] for k in arrays
                               if k.startswith(prefix)))
    current = [layer.name for layer in part.layers if layer.params]
    if set(current) <= set(saved) or len(saved) != len(current):
        return {}  # same names, or not the same layout: the name check reports it
    return {now: old for now, old in zip(current, saved, strict=True) if now != old}
