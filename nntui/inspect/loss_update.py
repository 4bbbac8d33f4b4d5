"""The loss stage (prediction against target, the loss and dL/dŷ) and the update stage
(what the optimizer did to the chosen weight)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nntui.engine.losses import EPSILON
from nntui.engine.trace import StepTrace, UpdateTrace
from nntui.inspect.explanation import Explanation, Selection, f, param_view, tensor, wrap


def targets_like(trace: StepTrace) -> np.ndarray:
    """The targets in the prediction's shape (integer labels become one-hot)."""
    pred, y = trace.prediction, trace.y
    if trace.loss_name == "sparse_categorical_crossentropy":
        k = pred.shape[-1]
        return np.eye(k)[y.reshape(-1).astype(int)].reshape(pred.shape)
    return y.reshape(pred.shape)


def per_sample_loss(trace: StepTrace) -> np.ndarray:
    """Each sample's loss (N,); their mean is the batch loss (regularisation not included)."""
    p = trace.prediction.astype(np.float64)
    y = targets_like(trace).astype(np.float64)
    n = p.shape[0]
    if trace.loss_name == "mean_squared_error":
        return ((p - y) ** 2).reshape(n, -1).mean(axis=1)
    if trace.loss_name == "binary_crossentropy":
        q = np.clip(p, EPSILON, 1 - EPSILON)
        b = y * np.log(q + EPSILON) + (1 - y) * np.log(1 - q + EPSILON)
        return -b.reshape(n, -1).mean(axis=1)
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON)
    ce = -(y * np.log(q)).sum(axis=-1)  # (N, ...) over the classes
    return ce.reshape(n, -1).mean(axis=1)


def loss_stage(trace: StepTrace, sel: Selection) -> Explanation:
    """ŷ against y per sample, the loss with its formula, and dL/dŷ of the chosen element."""
    pred = trace.prediction.reshape(trace.prediction.shape[0], -1)
    y = targets_like(trace).reshape(pred.shape)
    g = trace.grad_prediction.reshape(pred.shape) if trace.grad_prediction is not None else None
    n, k = wrap(sel.row, pred.shape[0]), wrap(sel.col, pred.shape[1])
    losses = per_sample_loss(trace)
    total = float(losses.mean())
    lines = [
        f"{trace.loss_name}: {trace.loss_formula}",
        f"sample {n}: ŷ = {f(pred[n, k])}, y = {f(y[n, k])}, its loss = {f(losses[n])}",
        f"L = mean over {len(losses)} samples = {f(total)}  (traced {f(trace.loss)})",
    ]
    value = None
    if g is not None:
        value = float(g[n, k])
        denom = (
            pred.size
            if trace.loss_name in ("mean_squared_error", "binary_crossentropy")
            else pred.shape[0]
        )
        if trace.fused:
            lines.append(
                f"fused with the last activation: dL/dz[{n},{k}] = (ŷ − y)/{denom} = "
                f"({f(pred[n, k])} − {f(y[n, k])})/{denom} = {f((pred[n, k] - y[n, k]) / denom)}"
                f"  (traced {f(value)})"
            )
        elif trace.loss_name == "mean_squared_error":
            lines.append(
                f"dL/dŷ[{n},{k}] = 2(ŷ − y)/{denom} = {f(2 * (pred[n, k] - y[n, k]) / denom)}"
                f"  (traced {f(value)})"
            )
        else:
            lines.append(f"dL/dŷ[{n},{k}] = {f(value)}")
    tensors = [
        tensor("ŷ (prediction)", trace.prediction, pred, highlight=(n, k)),
        tensor("y (target)", trace.y, y, highlight=(n, k)),
        tensor("loss per sample", losses, losses.reshape(-1, 1), highlight=(n, 0)),
    ]
    if g is not None:
        tensors.append(
            tensor(
                "dL/dz (fused)" if trace.fused else "dL/dŷ",
                trace.grad_prediction,  # type: ignore[arg-type]
                g,
                highlight=(n, k),
                signed=True,
            )
        )
    return Explanation(
        title=f"loss · {trace.loss_name}",
        formula=trace.loss_formula,
        tensors=tensors,
        lines=lines,
        total=total,
        value=float(trace.loss),
        value_label="L",
        cursor=(n, k),
        cursor_shape=tuple(pred.shape),
    )


def optimizer_formula(cfg: dict[str, Any]) -> str:
    name = cfg.get("name")
    if name == "adam":
        return (
            "m ← m + (g − m)(1−β1);  v ← v + (g² − v)(1−β2);  "
            "w ← w − α·m/(√v + ε), α = η·√(1−β2^t)/(1−β1^t)"
        )
    if name == "rmsprop":
        return "v ← ρ·v + (1−ρ)·g²;  w ← w − η·g/√(v + ε)"
    if cfg.get("momentum"):
        return "m ← μ·m − η·g;  w ← w + m"
    return "w ← w − η·g"


def recompute_update(
    cfg: dict[str, Any], old: float, g: float, state: dict[str, float], t: int
) -> tuple[list[str], float | None]:
    """The chosen weight's update written out with its numbers; returns (lines, new w)."""
    lr, name = float(cfg["learning_rate"]), cfg.get("name")
    if name == "adam":
        b1, b2, eps = cfg["beta_1"], cfg["beta_2"], cfg["epsilon"]
        m, v = state.get("m"), state.get("v")
        if m is None or v is None:
            return [], None
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        new = old - alpha * m / (math.sqrt(v) + eps)
        return [
            f"t = {t}: α = {f(lr)}·√(1−{b2}^{t})/(1−{b1}^{t}) = {f(alpha)}",
            f"m = {f(m)}   v = {f(v)}   (after this step)",
            f"w ← {f(old)} − {f(alpha)}·{f(m)}/(√{f(v)} + {eps}) = {f(new)}",
        ], new
    if name == "rmsprop":
        v = state.get("v")
        if v is None or cfg.get("momentum"):
            return [], None
        new = old - lr * g / math.sqrt(v + cfg["epsilon"])
        return [
            f"v = {f(v)} (after this step)",
            f"w ← {f(old)} − {f(lr)}·{f(g)}/√({f(v)} + {cfg['epsilon']}) = {f(new)}",
        ], new
    if cfg.get("momentum") and not cfg.get("nesterov"):
        m = state.get("m")
        if m is None:
            return [], None
        return [
            f"m = {cfg['momentum']}·m − {f(lr)}·{f(g)} = {f(m)}",
            f"w ← {f(old)} + {f(m)} = {f(old + m)}",
        ], old + m
    new = old - lr * g
    return [f"w ← {f(old)} − {f(lr)}·{f(g)} = {f(new)}"], new


def update_stage(
    trace: StepTrace,
    layer: int,
    sel: Selection,
    optimizer: dict[str, Any],
    iterations: int,
    update: UpdateTrace | None,
) -> Explanation:
    """Before ``u``: the gradient and the rule; after: old, gradient, state and new value."""
    lt = trace.layers[layer]
    names = list(lt.weights)
    title = f"update · {lt.name} ({optimizer.get('name', '?')})"
    if not names:
        return Explanation(
            title=title,
            formula=optimizer_formula(optimizer),
            lines=["this layer has no parameters; ↑/↓ chooses another"],
        )
    p = names[wrap(sel.param, len(names))]
    key = f"{lt.name}/{p}"
    w = param_view(lt.weights[p] if update is None else update.old[key])
    r, c = wrap(sel.row, w.shape[0]), wrap(sel.col, w.shape[1])
    raw = lt.grads.get(p)
    g = raw if update is None else update.grads.get(key, raw)
    gv = None if g is None else param_view(g)
    dldw = f(param_view(raw)[r, c]) if raw is not None else "none in the pass shown"
    lines = [f"{key}[{r},{c}]: w = {f(w[r, c])}, dL/dw = {dldw}, "
             f"η = {f(optimizer['learning_rate'])}"]
    if update is not None and gv is not None and raw is None:
        lines.append(f"g = {f(gv[r, c])}: the gradient the update used (from a pass not "
                     "shown: a GAN's discriminator learns in its own step)")
    elif update is not None and gv is not None and raw is not None and \
            not np.allclose(gv[r, c], param_view(raw)[r, c], rtol=1e-6, atol=0):
        lines.append(f"g = {f(gv[r, c])}: the gradient the update used (dL/dw plus the "
                     "regulariser's, clipped)")
    tensors = [tensor(f"{p} (before)", lt.weights[p], w, highlight=(r, c), signed=True)]
    if gv is not None:
        tensors.append(tensor(f"dL/d{p}" if update is None else f"g ({p}, as applied)", g, gv,  # type: ignore[arg-type]
                              highlight=(r, c), signed=True))
    total = value = None
    if update is None:
        lines += [
            "not applied yet: press u to apply this step.",
            "That changes the model's weights and optimizer state; browsing does not.",
        ]
    else:
        state = {k: float(param_view(v)[r, c]) for k, v in update.state.get(key, {}).items()}
        new = param_view(update.new[key])
        steps, total = recompute_update(
            optimizer, float(w[r, c]), float(gv[r, c]) if gv is not None else 0.0, state, iterations
        )
        value = float(new[r, c])
        lines += steps + [
            f"new w = {f(value)} (traced); change {f(value - w[r, c])}",
            "applied: the model's weights changed",
        ]
        tensors += [
            tensor(f"optimizer {k}", v, param_view(v), highlight=(r, c), signed=True)
            for k, v in update.state.get(key, {}).items()
        ]
        tensors.append(tensor(f"{p} (after)", update.new[key], new, highlight=(r, c), signed=True))
    return Explanation(
        title=title,
        formula=optimizer_formula(optimizer),
        tensors=tensors,
        lines=lines,
        total=total,
        value=value,
        value_label=f"new {key}[{r},{c}]",
        cursor=(r, c),
        cursor_shape=tuple(w.shape),
        selectors={"param": (wrap(sel.param, len(names)), len(names))},
    )
