"""The step-through inspector's logic, without Textual: stages, explanations with
their numbers, and the numeric gradient check.

Example:
    >>> trace = traced_step(model, x[:4], y[:4])
    >>> state = InspectorState(trace, [layer_config(l) for l in model.layers])
    >>> state.explain().lines  # the first layer's forward, one element written out
"""

from __future__ import annotations

from nntui.inspect.explanation import Explanation, Selection, Tensor, Term
from nntui.inspect.gradcheck import GradCheckResult, GradCheckRow, gradient_check
from nntui.inspect.state import InspectorState, Stage, build_stages, inspection_batch, layer_config

__all__ = [
    "Explanation",
    "GradCheckResult",
    "GradCheckRow",
    "InspectorState",
    "Selection",
    "Stage",
    "Tensor",
    "Term",
    "build_stages",
    "gradient_check",
    "inspection_batch",
    "layer_config",
]
