"""Model and optimizer state <-> the flat named arrays of a checkpoint (no pickle)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import CheckpointError


def _parts(model: Any) -> list[tuple[str, Any]]:
    """The Sequentials inside a learner: one, or a GAN's generator and discriminator."""
    if hasattr(model, "g") and hasattr(model, "d"):
        return [("g", model.g), ("d", model.d)]
    return [("m", model)]


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


def restore_state(model: Any, arrays: dict[str, np.ndarray]) -> None:
    """Load weights and optimizer state saved by :func:`state_arrays` into a built model.

    Raises:
        CheckpointError: the checkpoint does not belong to this model (names or shapes differ).
    """
    for tag, part in _parts(model):
        ops = part.ops
        for layer in part.layers:
            for name, value in layer.params.items():
                key = f"{tag}/w/{layer.name}/{name}"
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
        opt.state = {}
        for key, value in arrays.items():
            if key.startswith(prefix):
                pkey, _, slot = key[len(prefix):].rpartition("/")
                opt.state.setdefault(pkey, {})[slot] = ops.asarray(value.copy(), ops.dtype)
