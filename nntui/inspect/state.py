"""The inspector's state: the list of stages, where the learner is, and what it shows.

Stages run forward layer 1..L, then the loss, then backward L..1, then the
optimizer's update. ←/→ walk that list, ↑/↓ move to the same phase of another
layer, and the cursor picks an element of the stage's main tensor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nntui.engine.trace import StepTrace, UpdateTrace
from nntui.inspect.attention import attention_backward, attention_forward
from nntui.inspect.conv import conv_backward, conv_forward
from nntui.inspect.dense import dense_backward, dense_forward
from nntui.inspect.explanation import Explanation, Selection, wrap
from nntui.inspect.generic import generic_backward, generic_forward
from nntui.inspect.loss_update import loss_stage, update_stage
from nntui.inspect.pooling import pool_backward, pool_forward
from nntui.inspect.recurrent import recurrent_backward, recurrent_forward
from nntui.inspect.rule import rule_stage

RECURRENT = ("SimpleRNN", "LSTM", "GRU")
POOLING = ("MaxPooling2D", "AveragePooling2D")
CONFIG_ATTRS = ("negative_slope", "alpha", "causal", "strides", "padding", "pool_size")


@dataclass(frozen=True)
class Stage:
    """One stop of the walk: ``phase`` is forward, loss, backward or update."""

    phase: str
    layer: int | None = None

    def label(self, names: list[str]) -> str:
        if self.layer is None:
            return self.phase
        arrow = "▶" if self.phase == "forward" else "◀"
        return f"{arrow} {names[self.layer]}"


def build_stages(n_layers: int, gradients: bool = True) -> list[Stage]:
    """forward 0..L−1, loss, backward L−1..0, update; without gradients (the perceptron
    rule): forward, then the update (there is no loss to differentiate, no backward)."""
    forward = [Stage("forward", i) for i in range(n_layers)]
    if not gradients:
        return forward + [Stage("update")]
    return (
        forward
        + [Stage("loss")]
        + [Stage("backward", i) for i in range(n_layers - 1, -1, -1)]
        + [Stage("update")]
    )


def layer_config(layer: Any) -> dict[str, Any]:
    """The layer's config plus the attributes the explanations need."""
    cfg = dict(layer.get_config())
    for attr in CONFIG_ATTRS:
        if attr not in cfg and hasattr(layer, attr):
            cfg[attr] = getattr(layer, attr)
    for key in ("strides", "pool_size"):
        if key in cfg and cfg[key] is not None:
            cfg[key] = tuple(int(v) for v in cfg[key])
    return cfg


def explain_forward(trace: StepTrace, i: int, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    lt = trace.layers[i]
    if lt.kind == "Dense" and "kernel" in lt.weights:
        return dense_forward(lt, sel, cfg)
    if lt.kind == "Conv2D":
        return conv_forward(lt, sel, cfg)
    if lt.kind in POOLING:
        return pool_forward(lt, sel, cfg)
    if lt.kind in RECURRENT and "hidden" in lt.internals:
        return recurrent_forward(lt, sel, cfg)
    if "scores" in lt.internals and "value/kernel" in lt.weights:
        return attention_forward(lt, sel, cfg)
    return generic_forward(lt, sel, cfg)


def explain_backward(trace: StepTrace, i: int, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    lt = trace.layers[i]
    fused = trace.fused and i == len(trace.layers) - 1
    if lt.kind == "Dense" and "kernel" in lt.weights and lt.grads:
        return dense_backward(lt, sel, cfg, fused)
    if lt.kind == "Conv2D" and lt.grads:
        return conv_backward(lt, sel, cfg, fused)
    if lt.kind in POOLING:
        return pool_backward(lt, sel, cfg)
    if lt.kind in RECURRENT and lt.grads:
        return recurrent_backward(lt, sel, cfg)
    if "attention" in lt.internals and "value/kernel" in lt.weights:
        return attention_backward(lt, sel, cfg)
    return generic_backward(lt, sel, cfg, fused)


class InspectorState:
    """Navigation over one traced batch.

    Args:
        trace: the traced step (``traced_step(model, x, y)``).
        configs: every layer's config (:func:`layer_config`).
        optimizer: the optimizer's config.
        iterations: the optimizer's step count (Adam's t after an applied update).
        rule: the rule that trains a learner without gradients (``update_rule``, the
            perceptron's); None for gradient descent.
    """

    def __init__(
        self,
        trace: StepTrace,
        configs: list[dict[str, Any]],
        optimizer: dict[str, Any] | None = None,
        iterations: int = 0,
        rule: str | None = None,
    ) -> None:
        self.trace = trace
        self.configs = configs
        self.optimizer = optimizer or {}
        self.iterations = iterations
        self.rule = rule
        self.stages = build_stages(len(trace.layers), gradients=rule is None)
        self.index = 0
        self.selection = Selection()
        self.update_layer = self._param_layers()[-1] if self._param_layers() else 0
        self._cache: tuple[tuple[Any, ...], Explanation] | None = None

    @property
    def names(self) -> list[str]:
        return [lt.name for lt in self.trace.layers]

    @property
    def stage(self) -> Stage:
        return self.stages[self.index]

    @property
    def layer(self) -> int:
        """The layer the current stage is about (the last one at the loss)."""
        if self.stage.phase == "update":
            return self.update_layer
        return len(self.trace.layers) - 1 if self.stage.layer is None else self.stage.layer

    @property
    def update(self) -> UpdateTrace | None:
        return self.trace.update

    def _param_layers(self) -> list[int]:
        return [i for i, lt in enumerate(self.trace.layers) if lt.weights]

    # moving --------------------------------------------------------------------------
    def go(self, delta: int) -> None:
        """Previous / next stage."""
        self.index = max(0, min(len(self.stages) - 1, self.index + delta))

    def go_to(self, phase: str, layer: int | None = None) -> None:
        self.index = self.stages.index(Stage(phase, layer))

    def change_layer(self, delta: int) -> None:
        """↑/↓: the same phase on the layer above/below (update: layers with parameters)."""
        st = self.stage
        if st.phase == "update":
            layers = self._param_layers()
            if layers:
                k = layers.index(self.update_layer) if self.update_layer in layers else 0
                self.update_layer = layers[(k + delta) % len(layers)]
        elif st.layer is not None:
            self.go_to(st.phase, (st.layer + delta) % len(self.trace.layers))

    def move(self, drow: int, dcol: int) -> None:
        """Move the element cursor, wrapping inside the stage's main tensor."""
        ex = self.explain()
        rows, cols = ex.cursor_shape
        r, c = ex.cursor
        self.selection = replace(self.selection, row=wrap(r + drow, rows), col=wrap(c + dcol, cols))

    def cycle(self, what: str, delta: int) -> None:
        """Next/previous ``sample``, ``channel`` (filter, head) or ``param``."""
        self.selection = replace(self.selection, **{what: getattr(self.selection, what) + delta})

    def set_trace(self, trace: StepTrace, iterations: int) -> None:
        """A new trace of the same batch (after ``apply step``); the position is kept."""
        self.trace, self.iterations = trace, iterations
        self._cache = None

    # showing -------------------------------------------------------------------------
    def explain(self) -> Explanation:
        """What the current stage shows for the current selection (cached)."""
        key = (self.index, self.selection, self.update_layer, id(self.trace))
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        ex = self._explain()
        self._cache = (key, ex)
        return ex

    def _explain(self) -> Explanation:
        st, sel = self.stage, self.selection
        if st.phase == "loss":
            return loss_stage(self.trace, sel)
        if st.phase == "update" and self.rule is not None:
            lr = float(self.optimizer.get("learning_rate", 0.0))
            return rule_stage(self.trace, self.update_layer, sel, lr, self.trace.update,
                              self.rule)
        if st.phase == "update":
            return update_stage(
                self.trace,
                self.update_layer,
                sel,
                self.optimizer,
                self.iterations,
                self.trace.update,
            )
        assert st.layer is not None
        fn = explain_forward if st.phase == "forward" else explain_backward
        return fn(self.trace, st.layer, sel, self.configs[st.layer])


def inspection_batch(x: np.ndarray, y: np.ndarray, n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` samples (the inspector's default batch: 4 training samples)."""
    return np.asarray(x[:n]), np.asarray(y[:n])
