"""Backward stages: dL/da, dL/dz, dL/dW, dL/db, dL/dx of one layer, and the chain rule
for the chosen weight written with its numbers (as in the course:
dJ/dw = dJ/dŷ · dŷ/dz · dz/dw, summed over the batch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import activation_name, derivative
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    Term,
    f,
    param_view,
    sample_view,
    tensor,
    wrap,
)
from nntui.inspect.forward import padded_input, pool_winner


def _grad_z(lt: LayerTrace) -> np.ndarray:
    if "grad_z" in lt.internals:
        return lt.internals["grad_z"]
    assert lt.grad_output is not None  # a linear layer without its record: dL/dz = dL/da
    return lt.grad_output


def dense_weight_terms(lt: LayerTrace, i: int, j: int) -> list[Term]:
    """dL/dW[i,j] = Σ_n x[n,i] · dL/dz[n,j], one term per sample (time folded in)."""
    w = lt.weights["kernel"]
    x = lt.input.reshape(-1, w.shape[0]).astype(np.float64)
    gz = _grad_z(lt).reshape(-1, w.shape[1]).astype(np.float64)
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
    gz = _grad_z(lt).reshape(-1, units)
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
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        terms,
        header,
        total,
        value,
        f"dL/dW[{i},{j}]",
        (i, j),
        tuple(w.shape),
    )


def conv_weight_terms(
    lt: LayerTrace, cfg: dict[str, Any], u: int, v: int, c: int, fi: int
) -> list[Term]:
    """dL/dW[u,v,c,f] = Σ_(n,i,j) patch_(n,i,j)[u,v,c] · dL/dz[n,i,j,f]."""
    gz = _grad_z(lt)  # (N, OH, OW, F)
    kh, kw = lt.weights["kernel"].shape[:2]
    sh, sw = tuple(cfg.get("strides", (1, 1)))
    _, oh, ow, _ = gz.shape
    xp = padded_input(lt.input, (kh, kw), (sh, sw), cfg.get("padding", "valid"))
    vals = xp[:, u : u + sh * oh : sh, v : v + sw * ow : sw, c]  # (N, OH, OW): x under W[u,v,c]
    return [
        Term(
            f"n={n},i={i},j={j}",
            (float(vals[n, i, j]), float(gz[n, i, j, fi])),
            float(vals[n, i, j]) * float(gz[n, i, j, fi]),
        )
        for n in range(gz.shape[0])
        for i in range(oh)
        for j in range(ow)
    ]


def conv_backward(
    lt: LayerTrace, sel: Selection, cfg: dict[str, Any], fused: bool = False
) -> Explanation:
    """dL/dW[u,v,c,f]: every output cell's patch value times its dL/dz, summed.

    The cursor moves over the kernel as im2col sees it, (kh·kw·C, F)."""
    w = lt.weights["kernel"]
    kh, kw, c, nf = w.shape
    r, fi = wrap(sel.row, kh * kw * c), wrap(sel.col, nf)
    u, v, ch = np.unravel_index(r, (kh, kw, c))
    terms = conv_weight_terms(lt, cfg, int(u), int(v), int(ch), fi)
    total = float(np.sum([t.value for t in terms], dtype=np.float64))
    value = float(lt.grads["kernel"][u, v, ch, fi]) if "kernel" in lt.grads else None
    gz = _grad_z(lt)
    n = wrap(sel.sample, gz.shape[0])
    lines = [
        f"dL/dW[{u},{v},{ch},{fi}] = Σ_(n,i,j) x[n, i·s+{u}, j·s+{v}, {ch}] · dL/dz[n,i,j,{fi}]",
        f"  {len(terms)} terms (every output cell of every sample) = {f(total)}"
        f"  (traced {f(value) if value is not None else 'n/a'})",
    ]
    if "bias" in lt.grads:
        lines.append(
            f"dL/db[{fi}] = Σ_(n,i,j) dL/dz[n,i,j,{fi}] = "
            f"{f(np.sum(gz[..., fi], dtype=np.float64))}  (traced {f(lt.grads['bias'][fi])})"
        )
    lines.append("dL/dx = col2im(dL/dz · Wᵀ): each input pixel sums what its windows send back")
    tensors = []
    if lt.grad_output is not None and not fused:
        tensors.append(
            tensor(
                "dL/da",
                lt.grad_output,
                lt.grad_output[n, :, :, fi],
                signed=True,
                note=f"sample {n}, filter {fi}",
            )
        )
    tensors.append(
        tensor("dL/dz", gz, gz[n, :, :, fi], signed=True, note=f"sample {n}, filter {fi}")
    )
    if "kernel" in lt.grads:
        tensors.append(
            tensor(
                "dL/dW (kh·kw·C × F)",
                lt.grads["kernel"],
                param_view(lt.grads["kernel"]),
                highlight=(r, fi),
                signed=True,
            )
        )
    if lt.grad_input is not None:
        tensors.append(
            tensor(
                "dL/dx",
                lt.grad_input,
                sample_view(lt.grad_input, n, int(ch))[0],
                signed=True,
                note=f"sample {n}, channel {ch}",
            )
        )
    return Explanation(
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        terms,
        "x[patch] · dL/dz[n,i,j,f]",
        total,
        value,
        f"dL/dW[{u},{v},{ch},{fi}]",
        (r, fi),
        (kh * kw * c, nf),
        {"sample": (n, gz.shape[0])},
    )


def pool_backward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Max pooling routes each dL/dout to its window's winner; average pooling shares it."""
    g = lt.grad_output
    gin = lt.grad_input
    assert g is not None and gin is not None
    n, ch = wrap(sel.sample, g.shape[0]), wrap(sel.channel, g.shape[3])
    i, j = wrap(sel.row, g.shape[1]), wrap(sel.col, g.shape[2])
    lines = []
    hl = None
    if "argmax" in lt.internals:
        r, c = pool_winner(lt, cfg, n, i, j, ch)
        hl = (r, c)
        lines += [
            f"dL/dout[{n},{i},{j},{ch}] = {f(g[n, i, j, ch])} goes to the winner "
            f"x[{n},{r},{c},{ch}]",
            f"dL/dx[{n},{r},{c},{ch}] = {f(gin[n, r, c, ch])} (sums every window it won)",
            "the window's other inputs get 0 from this cell",
        ]
    else:
        ph, pw = cfg.get("pool_size", (2, 2))
        lines.append(
            f"each real pixel of the window gets dL/dout / count = "
            f"{f(g[n, i, j, ch])} / {ph * pw} (interior windows)"
        )
    tensors = [
        tensor(
            "dL/dout",
            g,
            g[n, :, :, ch],
            highlight=(i, j),
            signed=True,
            note=f"sample {n}, channel {ch}",
        ),
        tensor(
            "dL/dx",
            gin,
            gin[n, :, :, ch],
            highlight=hl,
            signed=True,
            note=f"sample {n}, channel {ch}",
        ),
    ]
    return Explanation(
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        cursor=(i, j),
        cursor_shape=(g.shape[1], g.shape[2]),
        selectors={"sample": (n, g.shape[0]), "channel": (ch, g.shape[3])},
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
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        value=value,
        value_label=label,
        cursor=cursor,
        cursor_shape=tuple(shape),
        selectors={"param": (wrap(sel.param, len(names)), len(names))} if names else {},
    )
