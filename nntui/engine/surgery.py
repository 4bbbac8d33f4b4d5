"""Surgery on a model that is learning: freeze a layer, switch a unit off, re-initialise
a layer, change dropout and L2 — without rebuilding it or losing what it learnt.

Each operation is a :class:`Surgery` value: a small frozen description that
:meth:`Surgery.apply` carries out on a learner and that returns the
:class:`~nntui.engine.events.ModelChanged` event saying what changed. The trainer
applies them between two steps on its own thread (``Trainer.submit``), never while
a step runs, and emits the event, which the run log writes with its step.

Switching a unit off ("ablation") multiplies the layer's output by a 0/1 mask over
its last axis (``Layer.unit_mask``): the unit's output is 0 in the forward pass and
its gradients 0 in the backward pass, so it contributes nothing and gets no gradient
while it is off (an optimizer with momentum still moves its weights by what it
remembers), and it comes back with its weights when switched on again.

Example:
    >>> Surgery("ablate", "dense", unit=3).apply(model, step=120, epoch=2).text
    'switched off unit 4 of dense'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.engine.events import ModelChanged
from nntui.engine.layers.base import Layer
from nntui.engine.learner import Learner
from nntui.engine.regularizers import Regularizer
from nntui.errors import ConfigError

ACTIONS = ("freeze", "unfreeze", "ablate", "restore", "reinitialise", "dropout", "l2")
MASKABLE = ("Dense", "Conv2D")
"""Layers whose units (Dense) or filters (Conv2D) can be switched off."""
WEIGHTED = ("Dense", "Conv2D")
"""Layers whose kernel takes an L2 penalty."""


@dataclass(frozen=True)
class Surgery:
    """One change to a learning model.

    Attributes:
        action: one of :data:`ACTIONS`.
        layer: the layer's name (freeze, unfreeze, ablate, restore, reinitialise).
        unit: the unit (Dense) or filter (Conv2D) index, from 0 (ablate, restore).
        value: the new rate or factor (dropout, l2).
        seed: the generator seed of a re-initialisation (logged, so a replay can
            repeat it).
    """

    action: str
    layer: str = ""
    unit: int = -1
    value: float = 0.0
    seed: int = 0

    def apply(self, model: Learner, step: int = 0, epoch: int = 0) -> ModelChanged:
        """Carry out the change on ``model`` (between two steps).

        Raises:
            ConfigError: an unknown action or layer, a unit out of range, a layer that
                cannot take the change, or a value out of range.
        """
        if self.action not in ACTIONS:
            raise ConfigError(f"action must be one of {', '.join(ACTIONS)}. "
                              f"Received: {self.action!r}")
        text = _ACTIONS[self.action](self, model)
        return ModelChanged(step, epoch, self.action, self.layer, self.unit, self.value,
                            self.seed, text)


def all_layers(model: Learner) -> list[Layer]:
    """Every layer of a learner (both stacks of a GAN)."""
    return [layer for _, part in model.parts() for layer in part.layers]


def find_layer(model: Learner, name: str) -> Layer:
    """The layer called ``name``.

    Raises:
        ConfigError: no such layer (the message lists them).
    """
    layers = all_layers(model)
    for layer in layers:
        if layer.name == name:
            return layer
    names = ", ".join(ly.name for ly in layers)
    raise ConfigError(f"layer must be one of {names}. Received: {name!r}")


def unit_count(layer: Layer) -> int:
    """Units (Dense) or filters (Conv2D) of a layer; 0 for a layer without them."""
    if type(layer).__name__ not in MASKABLE or not layer.output_shape:
        return 0
    return int(layer.output_shape[-1])


def ablated_units(layer: Layer) -> list[int]:
    """The units of ``layer`` that are switched off."""
    mask = layer.unit_mask
    if mask is None:
        return []
    return [int(i) for i in np.flatnonzero(layer.ops.to_numpy(mask) == 0)]


def _trainable_layer(model: Learner, name: str) -> Layer:
    layer = find_layer(model, name)
    if not layer.params:
        raise ConfigError(f"layer {name!r} has no weights to freeze or re-initialise")
    return layer


def _freeze(s: Surgery, model: Learner) -> str:
    layer = _trainable_layer(model, s.layer)
    layer.trainable = s.action == "unfreeze"
    for name in layer.grads:
        layer.grads[name] = None  # a frozen layer shows no stale gradient
    return f"{'unfroze' if layer.trainable else 'froze'} {layer.name}"


def _ablate(s: Surgery, model: Learner) -> str:
    layer = find_layer(model, s.layer)
    n = unit_count(layer)
    if not n:
        raise ConfigError(f"layer {s.layer!r} ({type(layer).__name__}) has no units to switch "
                          f"off; choose a {' or '.join(MASKABLE)} layer")
    if any(p.layers and p.layers[-1] is layer for _, p in model.parts()):
        raise ConfigError(f"layer {s.layer!r} is the output layer: switching off an output "
                          "would remove a class; choose a hidden layer")
    if not 0 <= s.unit < n:
        raise ConfigError(f"unit must be from 0 to {n - 1} for layer {s.layer!r}. "
                          f"Received: unit={s.unit}")
    ops = layer.ops
    mask = np.ones(n) if layer.unit_mask is None else ops.to_numpy(layer.unit_mask).copy()
    mask[s.unit] = 0.0 if s.action == "ablate" else 1.0
    layer.unit_mask = None if mask.all() else ops.asarray(mask, ops.dtype)
    verb = "switched off" if s.action == "ablate" else "switched on"
    return f"{verb} unit {s.unit + 1} of {layer.name}"


def _reinitialise(s: Surgery, model: Learner) -> str:
    """Fresh weights from the layer's own initialisers; its optimizer slots start over."""
    layer = _trainable_layer(model, s.layer)
    assert layer.input_shape is not None
    kept_mask, kept_regs = layer.unit_mask, dict(layer.regularizers)
    layer.build(layer.input_shape, np.random.default_rng(s.seed))
    layer.unit_mask, layer.regularizers = kept_mask, kept_regs
    for _, part in model.parts():
        if part.optimizer is not None and layer in part.layers:
            for name in layer.params:
                part.optimizer.state.pop(f"{layer.name}/{name}", None)
    return f"re-initialised {layer.name} (seed {s.seed})"


def _dropout(s: Surgery, model: Learner) -> str:
    """Every Dropout layer's rate; a model without one gets one after each hidden Dense
    layer (no weights, so nothing learnt is lost)."""
    if not 0.0 <= s.value < 1.0:
        raise ConfigError(f"the dropout rate must be from 0 to below 1. Received: {s.value!r}")
    drops = [ly for ly in all_layers(model) if type(ly).__name__ == "Dropout"]
    if drops:
        for layer in drops:
            layer.rate = float(s.value)  # type: ignore[attr-defined]
        return f"dropout rate {s.value:g} in {', '.join(ly.name for ly in drops)}"
    if s.value == 0.0:
        return "dropout rate 0 (the model has no Dropout layer)"
    added = [_insert_dropout(part, i, s) for _, part in model.parts()
             for i in _hidden_dense(part)[::-1]]
    if not added:
        raise ConfigError("this model has no hidden Dense layer to put dropout after")
    return f"dropout rate {s.value:g}: added after {', '.join(reversed(added))}"


def _hidden_dense(part: Any) -> list[int]:
    return [i for i, ly in enumerate(part.layers[:-1]) if type(ly).__name__ == "Dense"]


def _free_name(part: Any, base: str) -> str:
    taken = {ly.name for ly in part.layers}
    k = 0
    while (name := base if k == 0 else f"{base}_{k}") in taken:
        k += 1
    return name


def _insert_dropout(part: Any, after: int, s: Surgery) -> str:
    """A built Dropout layer right after ``part.layers[after]``; returns that layer's name."""
    from nntui.engine.layers.dropout import Dropout

    before = part.layers[after]
    layer = Dropout(s.value, seed=s.seed + after, name=_free_name(part, "dropout"))
    layer.ops = part.ops
    layer.build(before.output_shape, np.random.default_rng(s.seed))
    part.layers.insert(after + 1, layer)
    return str(before.name)


def _l2(s: Surgery, model: Learner) -> str:
    if not 0.0 <= s.value <= 10.0 or s.value != s.value:
        raise ConfigError(f"the L2 factor must be from 0 to 10. Received: {s.value!r}")
    changed = []
    for layer in all_layers(model):
        if type(layer).__name__ not in WEIGHTED or "kernel" not in layer.params:
            continue
        old = layer.regularizers.get("kernel") or Regularizer()
        if old.l1 or s.value:
            layer.regularizers["kernel"] = Regularizer(l1=old.l1, l2=float(s.value))
        else:
            layer.regularizers.pop("kernel", None)
        changed.append(layer.name)
    if not changed:
        raise ConfigError("this model has no Dense or Conv2D kernel to put an L2 penalty on")
    return f"L2 factor {s.value:g} on the kernels of {', '.join(changed)}"


_ACTIONS = {"freeze": _freeze, "unfreeze": _freeze, "ablate": _ablate, "restore": _ablate,
            "reinitialise": _reinitialise, "dropout": _dropout, "l2": _l2}
