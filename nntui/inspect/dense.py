"""Dense layers in the inspector: z = x·W + b and a = g(z) forward, and the chain rule
for one weight backward (dJ/dw = dJ/dŷ · dŷ/dz · dz/dw, summed over the batch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import (
    activation_lines,
    activation_name,
    derivative,
    grad_z,
    stage_title,
)
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    Term,
    f,
    tensor,
    wrap,
)


def dense_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """z[n,j] = Σ_i x[n,i]·W[i,j] + b[j], then a[n,j] = g(z[n,j]).

    Inputs (N, T, F) are folded to (N·T, F), as the layer does.
    """
    w = lt.weights["kernel"]
    b = lt.weights.get("bias")
    x = lt.input.reshape(-1, w.shape[0])
    z = lt.internals.get("z", lt.output).reshape(-1, w.shape[1])
    a = lt.output.reshape(-1, w.shape[1])
    n, j = wrap(sel.row, z.shape[0]), wrap(sel.col, z.shape[1])
    terms = [
        Term(
            f"i={i}",
            (float(x[n, i]), float(w[i, j])),
            float(np.float64(x[n, i]) * np.float64(w[i, j])),
        )
        for i in range(w.shape[0])
    ]
    bias = 0.0 if b is None else float(b[j])
    total = float(np.sum([t.value for t in terms], dtype=np.float64)) + bias
    act = activation_name(cfg)
    lines = [
        f"z[{n},{j}] = Σ_i x[{n},i]·W[i,{j}] + b[{j}]",
        f"       = {f(total - bias)} + {f(bias)} = {f(total)}  (traced {f(z[n, j])})",
    ]
    lines += activation_lines(act, float(z[n, j]), float(a[n, j]), z[n], j, cfg, f"[{n},{j}]")
    tensors = [
        tensor("x (input)", lt.input, x, highlight=None, note="rows: samples"),
        tensor("W (kernel)", w, signed=True),
    ]
    if b is not None:
        tensors.append(tensor("b (bias)", b, signed=True, highlight=(0, j)))
    tensors += [
        tensor("z = x·W + b", z, highlight=(n, j), signed=True),
        tensor(f"a = {act}(z)", a, highlight=(n, j)),
    ]
    return Explanation(
        title=stage_title(lt, "forward"),
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=terms,
        term_header="x[n,i] · W[i,j]",
        total=total,
        value=float(z[n, j]),
        value_label=f"z[{n},{j}]",
        cursor=(n, j),
        cursor_shape=tuple(z.shape),
    )


def dense_weight_terms(lt: LayerTrace, i: int, j: int) -> list[Term]:
    """dL/dW[i,j] = Σ_n x[n,i] · dL/dz[n,j], one term per sample (time folded in)."""
    w = lt.weights["kernel"]
    x = lt.input.reshape(-1, w.shape[0]).astype(np.float64)
    gz = grad_z(lt).reshape(-1, w.shape[1]).astype(np.float64)
    return [
        Term(f"n={n}", (float(x[n, i]), float(gz[n, j])), float(x[n, i] * gz[n, j]))
        for n in range(x.shape[0])
    ]


def dense_backward(
    lt: LayerTrace, sel: Selection, cfg: dict[str, Any], fused: bool = False
) -> Explanation:
    """The chain rule for W[i,j] (the cursor moves over the kernel)."""
    w = lt.weights["kernel"]
    i, j = wrap(sel.row, w.shape[0]), wrap(sel.col, w.shape[1])
    units = w.shape[1]
    gz = grad_z(lt).reshape(-1, units)
    x = lt.input.reshape(-1, w.shape[0])
    z = lt.internals.get("z", lt.output).reshape(-1, units)
    a = lt.output.reshape(-1, units)
    act = activation_name(cfg)
    d = None if fused or lt.grad_output is None else derivative(act, z, a, cfg)
    if d is not None:
        ga = np.asarray(lt.grad_output).reshape(-1, units)
        terms = [
            Term(
                f"n={n}",
                (float(ga[n, j]), float(d[1][n, j]), float(x[n, i])),
                float(np.float64(x[n, i]) * np.float64(gz[n, j])),
            )
            for n in range(len(x))
        ]
        header = "dL/da[n,j] · g'(z[n,j]) · x[n,i]"
        rule = [
            f"dL/dW[{i},{j}] = Σ_n dL/da[n,{j}] · da/dz[n,{j}] · dz/dW[{i},{j}]",
            f"  da/dz: {d[0]} ({act});  dz[n,{j}]/dW[{i},{j}] = x[n,{i}]",
        ]
    else:
        terms = dense_weight_terms(lt, i, j)
        header = "x[n,i] · dL/dz[n,j]"
        why = (
            "dL/dz = (ŷ − y)/N: softmax/sigmoid + cross-entropy fused"
            if fused
            else f"dL/dz = {act}'s Jacobian · dL/da"
        )
        rule = [
            f"dL/dW[{i},{j}] = Σ_n dL/dz[n,{j}] · dz[n,{j}]/dW[{i},{j}]"
            f" = Σ_n x[n,{i}]·dL/dz[n,{j}]",
            f"  {why}",
        ]
    total = float(np.sum([t.value for t in terms], dtype=np.float64))
    value = float(lt.grads["kernel"][i, j]) if "kernel" in lt.grads else None
    lines = rule + [
        f"  = {f(total)}  (traced dL/dW[{i},{j}] = {f(value) if value is not None else 'n/a'})"
    ]
    if "bias" in lt.grads:
        lines.append(
            f"dL/db[{j}] = Σ_n dL/dz[n,{j}] = {f(np.sum(gz[:, j], dtype=np.float64))}"
            f"  (traced {f(lt.grads['bias'][j])})"
        )
    lines.append(f"dL/dx[n,{i}] = Σ_j dL/dz[n,j]·W[{i},j]  (passed to the layer below)")
    tensors = []
    if lt.grad_output is not None and not fused:
        tensors.append(
            tensor(
                "dL/da",
                lt.grad_output,
                lt.grad_output.reshape(-1, units),
                highlight=(0, j),
                signed=True,
            )
        )
    tensors += [
        tensor("dL/dz" + (" = (ŷ−y)/N" if fused else ""), gz, gz, highlight=(0, j), signed=True),
        tensor("dL/dW", lt.grads.get("kernel", w * 0), highlight=(i, j), signed=True),
    ]
    if "bias" in lt.grads:
        tensors.append(tensor("dL/db", lt.grads["bias"], highlight=(0, j), signed=True))
    if lt.grad_input is not None:
        tensors.append(
            tensor(
                "dL/dx",
                lt.grad_input,
                lt.grad_input.reshape(-1, w.shape[0]),
                highlight=(0, i),
                signed=True,
            )
        )
    return Explanation(
        title=f"backward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=terms,
        term_header=header,
        total=total,
        value=value,
        value_label=f"dL/dW[{i},{j}]",
        cursor=(i, j),
        cursor_shape=tuple(w.shape),
    )
