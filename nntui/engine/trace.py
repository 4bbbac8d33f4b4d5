"""A traced training step: every layer's forward and backward numbers for one batch.

The dashboard and the step-through inspector read only this. Tracing is off
unless a traced step asks for it, so ordinary steps pay nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class LayerTrace:
    """What one layer saw and produced in one step (NumPy copies).

    ``internals`` holds the layer's own records: ``z`` (pre-activation), LSTM/GRU
    gates per time step, conv feature maps, attention weights, dropout masks; and
    ``grad_z`` etc. from backward.
    """

    index: int
    name: str
    kind: str
    input: np.ndarray
    output: np.ndarray
    weights: dict[str, np.ndarray]
    internals: dict[str, np.ndarray] = field(default_factory=dict)
    grad_output: np.ndarray | None = None
    grad_input: np.ndarray | None = None
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    formula: str = ""


@dataclass
class UpdateTrace:
    """What the optimizer did to every parameter in this step."""

    optimizer: dict[str, Any]
    old: dict[str, np.ndarray]  # key "layer_name/param"
    new: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]  # the gradient each update used (regularised, clipped)
    state: dict[str, dict[str, np.ndarray]]  # Adam's m and v, momentum ... after the step


@dataclass
class StepTrace:
    """One batch: inputs, targets, every layer forward and backward, loss, update."""

    x: np.ndarray
    y: np.ndarray
    layers: list[LayerTrace]
    prediction: np.ndarray
    loss: float
    loss_name: str
    loss_formula: str
    grad_prediction: np.ndarray | None
    update: UpdateTrace | None = None
    fused: bool = False  # True when softmax/sigmoid + cross-entropy used dL/dz = (ŷ − y)/N


def traced_step(model: Any, x: Any, y: Any, *, apply_update: bool = False,
                training: bool = False) -> StepTrace:
    """Run one batch through ``model`` recording every layer forward and backward.

    Args:
        model: a compiled, built ``Sequential``.
        x, y: one batch (NumPy).
        apply_update: also take the optimizer step and record it (the inspector's last stage).
        training: run dropout etc. in training mode.

    Returns:
        A StepTrace with NumPy copies of every intermediate value.
    """
    ops = model.ops
    x, y = model.prepare(x, y)
    xb, yb = ops.asarray(x), ops.asarray(y)
    np_ = ops.to_numpy
    for layer in model.layers:
        layer.zero_grad()
        layer._trace = {}
    traces: list[LayerTrace] = []
    try:
        h = xb
        for i, layer in enumerate(model.layers):
            out = layer.forward(h, training=training)
            params = {k: np_(v).copy() for k, v in layer.params.items()}
            traces.append(LayerTrace(i, layer.name, type(layer).__name__, np_(h).copy(),
                                     np_(out).copy(), params, formula=_formula(layer)))
            h = out
        pred = h
        value, grad, fused = model.compute_loss_and_grad(yb, pred)
        grad_pred = np_(grad).copy()
        g = grad
        start = len(model.layers) - 1
        if fused:
            idx, entry = model._fused_head()
            traces[idx].grad_output = None
            g = entry(g)
            traces[idx].grad_input = np_(g).copy()
            start = idx - 1
        for i in range(start, -1, -1):
            traces[i].grad_output = np_(g).copy()
            g = model.layers[i].backward(g)
            traces[i].grad_input = np_(g).copy()
        for t, layer in zip(traces, model.layers, strict=True):
            t.internals = {k: np_(v).copy() for k, v in (layer._trace or {}).items()}
            t.grads = {k: np_(v).copy() for k, v in layer.grads.items() if v is not None}
    finally:
        for layer in model.layers:
            layer._trace = None
    trace = StepTrace(np_(xb).copy(), np_(yb).copy(), traces, np_(pred).copy(), ops.item(value),
                      model.loss.name, model.loss.formula, grad_pred, fused=fused)
    if apply_update:
        trace.update = _traced_update(model, xb, yb)
    return trace


def _traced_update(model: Any, xb: Any, yb: Any) -> UpdateTrace:
    """Take the learner's update on the traced batch and record it.

    Gradient descent: the optimizer's step on the traced gradients, with the gradient
    each update received (the layer's plus its regulariser's, clipped as the
    optimizer clips). A learner without gradients (the perceptron) runs its own rule
    on the batch: its ``train_step``, exactly what training does.
    """
    if not model.uses_gradients:
        lr = model.optimizer.learning_rate if model.optimizer is not None else 0.0
        config = {"name": getattr(model, "update_rule", "rule"), "learning_rate": lr}
        return recorded_update(model.layers, [], lambda: model.train_step(xb, yb), config)
    return recorded_update(model.layers, [model.optimizer], model.apply_gradients,
                           model.optimizer.get_config())


def recorded_update(layers: list[Any], optimizers: list[Any], step: Callable[[], Any],
                    config: dict[str, Any]) -> UpdateTrace:
    """Run ``step`` (something that updates ``layers``) and record every parameter before
    and after, each gradient an ``optimizers`` update received, and their state after."""
    np_ = layers[0].ops.to_numpy if layers else np.asarray
    old = {f"{ly.name}/{k}": np_(v).copy() for ly in layers for k, v in ly.params.items()}
    applied: dict[str, np.ndarray] = {}
    for opt in optimizers:
        setattr(opt, "update", _recording(opt, applied, np_))  # noqa: B010 - this step only
    try:
        step()
    finally:
        for opt in optimizers:
            delattr(opt, "update")
    new = {f"{ly.name}/{k}": np_(v).copy() for ly in layers for k, v in ly.params.items()}
    state = {k: {n: np_(a).copy() for n, a in s.items()}
             for opt in optimizers for k, s in opt.state.items()}
    return UpdateTrace(config, old, new, applied, state)


def _recording(opt: Any, applied: dict[str, np.ndarray], np_: Any) -> Callable[..., Any]:
    """``opt.update`` that first keeps the gradient it was given, under its key."""
    update = opt.update

    def recorded(ops: Any, param: Any, grad: Any, state: dict[str, Any]) -> Any:
        key = next(k for k, s in opt.state.items() if s is state)
        applied[key] = np_(grad).copy()  # before an in-place update reuses anything
        return update(ops, param, grad, state)

    return recorded


def _formula(layer: Any) -> str:
    act = getattr(layer, "activation", None) or getattr(layer, "fn", None)
    base = getattr(layer, "formula", "")
    act_f = getattr(act, "formula", "")
    return " ; ".join(f for f in (base, act_f) if f)
