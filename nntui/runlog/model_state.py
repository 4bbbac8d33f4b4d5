"""Model and optimizer state <-> the flat named arrays of a checkpoint (no pickle).

Restoring checks the whole checkpoint against the model before it changes anything:
every weight present with the model's shape and dtype, every optimizer slot one the
optimizer keeps with its parameter's shape, an iteration count that is a whole
number. A checkpoint that does not fit is refused with one line, and the model is
left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.errors import CheckpointError


def _parts(model: Learner) -> Sequence[tuple[str, Any]]:
    """The Sequentials inside a learner: one, or a GAN's generator and discriminator."""
    return model.parts()


def state_arrays(model: Learner) -> dict[str, np.ndarray]:
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


def restore_state(model: Learner, arrays: dict[str, np.ndarray]) -> None:
    """Load weights and optimizer state saved by :func:`state_arrays` into a built model.

    Layers are matched by name, or, when the names differ but the layers line up (auto
    names such as ``dense_3`` depend on how many layers the process made before), by
    position. Everything is checked first; the model changes only when all of it fits.

    Raises:
        CheckpointError: the checkpoint does not belong to this model (names, shapes,
            dtypes or optimizer slots differ), or holds an unusable iteration count.
    """
    plan = [_part_plan(tag, part, arrays) for tag, part in _parts(model)]
    for part, weights, iterations, state in plan:
        ops = part.ops
        for layer, name, value in weights:
            layer.params[name] = ops.asarray(value.copy(), ops.dtype)
        if part.optimizer is not None:
            part.optimizer.iterations = iterations
            part.optimizer.state = {key: {slot: ops.asarray(v.copy(), ops.dtype)
                                          for slot, v in slots.items()}
                                    for key, slots in state.items()}


_Plan = tuple[Any, list[tuple[Any, str, np.ndarray]], int, dict[str, dict[str, np.ndarray]]]


def _part_plan(tag: str, part: Any, arrays: dict[str, np.ndarray]) -> _Plan:
    """What restoring one part will write, after checking all of it."""
    rename = _layer_names(tag, part, arrays)
    weights, params = [], {}
    for layer in part.layers:
        for name, value in layer.params.items():
            key = f"{tag}/w/{rename.get(layer.name, layer.name)}/{name}"
            now = part.ops.to_numpy(value)
            weights.append((layer, name, _fitting(arrays, key, f"{layer.name}/{name}", now)))
            params[f"{layer.name}/{name}"] = value
    unknown = sorted(k for k in arrays if k.startswith(f"{tag}/w/")
                     and k not in {f"{tag}/w/{rename.get(lay.name, lay.name)}/{n}"
                                   for lay in part.layers for n in lay.params})
    if unknown:
        raise CheckpointError(f"checkpoint has weights this model does not have "
                              f"({', '.join(unknown[:3])}); it was written by a different model")
    if part.optimizer is None:
        return part, weights, 0, {}
    iterations = _iterations(arrays.get(f"{tag}/opt_iterations"))
    state = _optimizer_state(tag, part, arrays, params, rename)
    return part, weights, iterations, state


def _fitting(arrays: dict[str, np.ndarray], key: str, label: str, now: np.ndarray
             ) -> np.ndarray:
    if key not in arrays:
        raise CheckpointError(f"checkpoint has no weights for {label}; "
                              "it was written by a different model")
    saved = arrays[key]
    if tuple(saved.shape) != tuple(now.shape):
        raise CheckpointError(f"checkpoint weight {label} has shape {saved.shape}, "
                              f"the model needs {tuple(now.shape)}")
    if saved.dtype != now.dtype:
        raise CheckpointError(f"checkpoint weight {label} has dtype {saved.dtype}, "
                              f"the model needs {now.dtype}")
    return saved


def _iterations(value: np.ndarray | None) -> int:
    if value is None:
        return 0
    if value.shape != () or value.dtype.kind not in "iu" or int(value) < 0:
        raise CheckpointError("checkpoint's optimizer iteration count must be one whole "
                              f"number >= 0. Received: {value.dtype} array of shape {value.shape}")
    return int(value)


def _optimizer_state(tag: str, part: Any, arrays: dict[str, np.ndarray],
                     params: dict[str, Any], rename: dict[str, str]
                     ) -> dict[str, dict[str, np.ndarray]]:
    """``{"dense/kernel": {"m": ..., "v": ...}}``, each slot checked against its parameter."""
    prefix = f"{tag}/opt/"
    back = {saved: now for now, saved in rename.items()}
    state: dict[str, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        if key.startswith(prefix):
            pkey, _, slot = key[len(prefix):].rpartition("/")
            lname, _, pname = pkey.rpartition("/")
            state.setdefault(f"{back.get(lname, lname)}/{pname}", {})[slot] = value
    opt, ops = part.optimizer, part.ops
    for pkey, slots in state.items():
        if pkey not in params:
            raise CheckpointError(f"checkpoint has optimizer state for {pkey}, which this "
                                  "model does not have; it was written by a different model")
        param = params[pkey]
        wanted = set(opt.init_state(ops, param))
        if set(slots) != wanted:
            raise CheckpointError(
                f"checkpoint's optimizer state for {pkey} has slots {sorted(slots)}; "
                f"{type(opt).__name__} keeps {sorted(wanted)} (was the optimizer changed?)")
        for slot in slots:
            _fitting(slots, slot, f"optimizer state {pkey}/{slot}", ops.to_numpy(param))
    return state


def _layer_names(tag: str, part: Any, arrays: dict[str, np.ndarray]) -> dict[str, str]:
    """``{model layer name: checkpoint layer name}`` where they differ."""
    prefix = f"{tag}/w/"
    saved = list(dict.fromkeys(k[len(prefix):].rpartition("/")[0] for k in arrays
                               if k.startswith(prefix)))
    current = [layer.name for layer in part.layers if layer.params]
    if set(current) <= set(saved) or len(saved) != len(current):
        return {}  # same names, or not the same layout: the name check reports it
    return {now: old for now, old in zip(current, saved, strict=True) if now != old}


def generators(model: Learner, trainer: Any) -> dict[str, np.random.Generator]:
    """Every random generator a run draws from, by a stable name: the trainer's shuffle
    (``trainer``), the learner's own (``model``: a GAN's z) and each layer's (dropout)."""
    out = {"trainer": trainer.rng, "model": model.rng}
    for tag, part in _parts(model):
        for layer in part.layers:
            for name, gen in layer.generators().items():
                out[f"{tag}/{layer.name}/{name}"] = gen
    return out


def generator_states(model: Learner, trainer: Any) -> dict[str, dict[str, Any]]:
    return {name: dict(gen.bit_generator.state) for name, gen in generators(model, trainer).items()}


def restore_generators(model: Learner, trainer: Any, states: dict[str, dict[str, Any]]) -> None:
    """Set every generator to its saved state (checked on a scratch generator first).

    Raises:
        CheckpointError: a state is unusable or names a generator this run lacks.
    """
    gens = generators(model, trainer)
    for name, state in states.items():
        if name not in gens:
            raise CheckpointError(f"checkpoint has a random state for {name!r}, which this "
                                  "model does not have; it was written by a different model")
        try:
            type(gens[name].bit_generator)().state = state
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise CheckpointError(f"checkpoint's random state for {name!r} is unusable: "
                                  f"{exc}") from None
    for name, state in states.items():
        gens[name].bit_generator.state = state
