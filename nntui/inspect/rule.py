"""The update stage of a learner trained without gradients: the perceptron rule written
out sample by sample, as :class:`~nntui.engine.perceptron.Perceptron` applies it.

The rule is sequential: each sample is classified with the weights as the samples
before it left them, so its prediction can differ from the forward stage's (which
used the weights at the start of the batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nntui.engine.trace import StepTrace, UpdateTrace
from nntui.inspect.explanation import Explanation, Selection, Term, f, param_view, tensor, wrap

RULE_FORMULA = "each sample in order: ŷ = step(x·w + b);  w ← w + η(y − ŷ)x;  b ← b + η(y − ŷ)"


@dataclass(frozen=True)
class RuleStep:
    """One sample's turn: ``z = x·w + b`` with the weights it met, ``ŷ``, ``y − ŷ``."""

    sample: int
    z: float
    prediction: float
    target: float
    error: float


def perceptron_rule(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float
                    ) -> tuple[list[RuleStep], np.ndarray, float]:
    """Apply Rosenblatt's rule to the batch ``x (N, F)``, ``y (N,)`` in order (float64).

    Returns:
        each sample's step, the final weights ``(F,)`` and bias.
    """
    w = np.asarray(w, np.float64).reshape(-1).copy()
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    y = np.asarray(y, np.float64).reshape(-1)
    steps = []
    for n in range(len(x)):
        z = float(x[n] @ w + b)
        pred = 1.0 if z >= 0 else 0.0
        err = float(y[n] - pred)
        steps.append(RuleStep(n, z, pred, float(y[n]), err))
        w += lr * err * x[n]
        b += lr * err
    return steps, w, b


def rule_stage(trace: StepTrace, layer: int, sel: Selection, lr: float,
               update: UpdateTrace | None, rule: str = "the perceptron rule") -> Explanation:
    """The chosen weight (or the bias) through the batch, one term per sample:
    ``η · (y − ŷ) · x``; after ``u``, the new value the model got beside the sum."""
    lt = trace.layers[layer]
    names = list(lt.weights)
    p = names[wrap(sel.param, len(names))]
    key = f"{lt.name}/{p}"
    start = lt.weights if update is None else {
        k.split("/", 1)[1]: v for k, v in update.old.items() if k.startswith(f"{lt.name}/")}
    w0, b0 = start["kernel"].reshape(-1), float(np.ravel(start["bias"])[0])
    steps, _, _ = perceptron_rule(trace.x, trace.y, w0, b0, lr)
    x = np.asarray(trace.x, np.float64).reshape(len(trace.x), -1)
    r = wrap(sel.row, len(w0)) if p == "kernel" else 0
    old = float(w0[r]) if p == "kernel" else b0
    terms = [Term(f"n={s.sample}", (lr, s.error, float(x[s.sample, r]) if p == "kernel" else 1.0),
                  lr * s.error * (float(x[s.sample, r]) if p == "kernel" else 1.0))
             for s in steps]
    label = f"{key}[{r}]" if p == "kernel" else key
    lines = [f"{label} = {f(old)} before the batch, η = {f(lr)}; no gradient: the error "
             "y − ŷ itself moves the weights"]
    lines += [f"sample {s.sample}: z = {f(s.z)} → ŷ = {s.prediction:g}, y = {s.target:g}"
              + (": right, no change" if not s.error else f", y − ŷ = {s.error:+g}")
              for s in steps]
    total = old + sum(t.value for t in terms)
    per_sample = np.array([[s.z, s.prediction, s.error] for s in steps])
    tensors = [tensor("x (batch)", trace.x, x, highlight=(0, r) if p == "kernel" else None),
               tensor("z, ŷ, y − ŷ per sample (in order)", per_sample, per_sample, signed=True),
               tensor(f"{p} (before)", start[p], param_view(start[p]),
                      highlight=(r, 0) if p == "kernel" else (0, 0), signed=True)]
    value = None
    if update is None:
        lines += ["not applied yet: press u to apply the rule to this batch.",
                  "That changes the model's weights; browsing does not."]
    else:
        new = update.new[key].reshape(-1)
        value = float(new[r] if p == "kernel" else new[0])
        lines += [f"new {label} = {f(value)} (the model's, after u); change {f(value - old)}"]
        tensors.append(tensor(f"{p} (after)", update.new[key], param_view(update.new[key]),
                              highlight=(r, 0) if p == "kernel" else (0, 0), signed=True))
    return Explanation(
        title=f"update · {lt.name} ({rule})", formula=RULE_FORMULA,
        tensors=tensors, lines=lines, terms=terms,
        term_header="η · (y − ŷ) · x[n]" if p == "kernel" else "η · (y − ŷ) · 1",
        total=total,
        value=value, value_label=f"new {label}", cursor=(r, 0),
        cursor_shape=(len(w0), 1) if p == "kernel" else (1, 1),
        selectors={"param": (wrap(sel.param, len(names)), len(names))})
