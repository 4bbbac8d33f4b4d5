"""Layers without a written-out formula (Flatten, Dropout, …): their tensors and what they do."""

from __future__ import annotations

from typing import Any

from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import (
    activation_lines,
    activation_name,
    stage_title,
)
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    f,
    param_view,
    sample_view,
    tensor,
    wrap,
)


def generic_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Any other layer: input, weights, recorded internals and output of one sample."""
    out_v, note = sample_view(lt.output, sel.sample, sel.channel)
    r, c = wrap(sel.row, out_v.shape[0]), wrap(sel.col, out_v.shape[1])
    in_v, in_note = sample_view(lt.input, sel.sample, sel.channel)
    tensors = [tensor("x (input)", lt.input, in_v, note=in_note)]
    tensors += [tensor(k, v, signed=True) for k, v in lt.weights.items() if v.ndim <= 2]
    tensors += [
        tensor(k, v, sample_view(v, sel.sample, sel.channel)[0])
        for k, v in lt.internals.items()
        if not k.startswith("grad") and v.ndim >= 2 and v.shape[0] == lt.input.shape[0]
    ]
    tensors.append(tensor("output", lt.output, out_v, highlight=(r, c), note=note))
    lines = [
        f"output {tuple(lt.input.shape)} -> {tuple(lt.output.shape)}",
        f"chosen output element = {f(out_v[r, c])}",
    ]
    name = activation_name(cfg)
    if (
        lt.kind in ("Activation", "ReLULayer", "LeakyReLU", "ELU", "Softmax")
        and out_v.shape == in_v.shape
    ):
        lines += activation_lines(
            name, float(in_v[r, c]), float(out_v[r, c]), in_v[r], c, cfg, f"[{r},{c}]"
        )
    return Explanation(
        title=stage_title(lt, "forward"),
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        cursor=(r, c),
        cursor_shape=tuple(out_v.shape),
        value=float(out_v[r, c]),
        value_label="output",
        selectors={"sample": (wrap(sel.sample, len(lt.output)), len(lt.output))},
    )


def generic_backward(
    lt: LayerTrace, sel: Selection, cfg: dict[str, Any], fused: bool = False
) -> Explanation:
    """Any other layer: dL/d(out), the parameter gradients, dL/dx."""
    tensors = []
    lines = []
    if lt.grad_output is not None:
        tensors.append(
            tensor(
                "dL/d(out)",
                lt.grad_output,
                sample_view(lt.grad_output, sel.sample, sel.channel)[0],
                signed=True,
            )
        )
    elif fused:
        lines.append("dL/dz = (ŷ − y)/N comes straight from the loss (fused head)")
    names = list(lt.grads)
    cursor, shape, value, label = (0, 0), (1, 1), None, ""
    for k in names:
        gv = param_view(lt.grads[k])
        hl = None
        if k == names[wrap(sel.param, len(names))]:
            r, c = wrap(sel.row, gv.shape[0]), wrap(sel.col, gv.shape[1])
            cursor, shape, value, label, hl = (
                (r, c),
                gv.shape,
                float(gv[r, c]),
                f"dL/d{k}[{r},{c}]",
                (r, c),
            )
            lines.append(f"{label} = {f(value)}")
        tensors.append(tensor(f"dL/d{k}", lt.grads[k], gv, highlight=hl, signed=True))
    if lt.grad_input is not None:
        gi, note = sample_view(lt.grad_input, sel.sample, sel.channel)
        tensors.append(tensor("dL/dx", lt.grad_input, gi, signed=True, note=note))
        if not lt.grads:
            r, c = wrap(sel.row, gi.shape[0]), wrap(sel.col, gi.shape[1])
            cursor, shape = (r, c), gi.shape
    if lt.kind in ("Flatten", "Reshape"):
        lines.append("no parameters: dL/dx is dL/d(out) reshaped back")
    elif lt.kind == "Dropout":
        lines.append("dL/dx = dL/d(out) ⊙ mask (identity when not training)")
    return Explanation(
        title=f"backward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        value=value,
        value_label=label,
        cursor=cursor,
        cursor_shape=tuple(shape),
        selectors={"param": (wrap(sel.param, len(names)), len(names))} if names else {},
    )
