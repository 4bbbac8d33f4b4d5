"""Conv2D in the inspector: one output element as the sum over its input patch, and
one kernel weight's gradient as the sum over every position it met."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.layers.conv import same_pads
from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import (
    activation_lines,
    activation_name,
    grad_z,
    stage_title,
)
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


def padded_input(
    x: np.ndarray, kernel_size: tuple[int, int], strides: tuple[int, int], padding: str
) -> np.ndarray:
    """The (N, Hp, Wp, C) input as the layer's windows see it (float64, 'same' zero padding)."""
    (kh, kw), (sh, sw) = kernel_size, strides
    _, h, w, _ = x.shape
    pads = (same_pads(h, kh, sh), same_pads(w, kw, sw)) if padding == "same" else ((0, 0), (0, 0))
    return np.pad(np.asarray(x, np.float64), [(0, 0), pads[0], pads[1], (0, 0)])


def conv_patch(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    n: int,
    i: int,
    j: int,
) -> tuple[np.ndarray, tuple[int, int]]:
    """The (kh, kw, C) input patch that output cell (i, j) of sample n sees.

    Returns:
        The patch (zeros where it lies on 'same' padding) and the input (row, col) of its
        top-left corner (negative on padding).
    """
    (kh, kw), (sh, sw) = kernel_size, strides
    _, h, w, _ = x.shape
    top = same_pads(h, kh, sh)[0] if padding == "same" else 0
    left = same_pads(w, kw, sw)[0] if padding == "same" else 0
    xp = padded_input(x[n : n + 1], kernel_size, strides, padding)[0]
    patch = xp[i * sh : i * sh + kh, j * sw : j * sw + kw, :]
    return patch, (i * sh - top, j * sw - left)


def conv_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """z[n,i,j,f] = Σ_{u,v,c} patch[u,v,c]·W[u,v,c,f] + b[f] for the chosen output cell."""
    w = lt.weights["kernel"]  # (kh, kw, C, F)
    b = lt.weights.get("bias")
    z = lt.internals.get("z", lt.output)  # (N, OH, OW, F)
    kh, kw, c, nf = w.shape
    n, fi = wrap(sel.sample, z.shape[0]), wrap(sel.channel, nf)
    i, j = wrap(sel.row, z.shape[1]), wrap(sel.col, z.shape[2])
    strides = tuple(cfg.get("strides", (1, 1)))
    patch, (r0, c0) = conv_patch(lt.input, (kh, kw), strides, cfg.get("padding", "valid"), n, i, j)
    prod = patch * w[..., fi]  # (kh, kw, C)
    terms = [
        Term(
            f"u={u},v={v},c={ch}",
            (float(patch[u, v, ch]), float(w[u, v, ch, fi])),
            float(prod[u, v, ch]),
        )
        for u in range(kh)
        for v in range(kw)
        for ch in range(c)
    ]
    bias = 0.0 if b is None else float(b[fi])
    total = float(prod.sum()) + bias
    act = activation_name(cfg)
    at = f"[{n},{i},{j},{fi}]"
    lines = [
        f"output cell (row {i}, col {j}) of filter {fi} sees the input patch at rows "
        f"{r0}..{r0 + kh - 1}, cols {c0}..{c0 + kw - 1} (stride {strides}, "
        f"padding {cfg.get('padding', 'valid')})",
        f"z{at} = Σ_(u,v,c) x·W[u,v,c,{fi}] + b[{fi}] = {f(total - bias)} + {f(bias)}"
        f" = {f(total)}  (traced {f(z[n, i, j, fi])})",
    ]
    lines += activation_lines(
        act, float(z[n, i, j, fi]), float(lt.output[n, i, j, fi]), None, 0, cfg, at
    )
    ch0 = wrap(sel.channel, c) if c > 1 else 0
    note = f"channel {ch0} of {c}; the sum runs over all {c}" if c > 1 else ""
    inside = (r0, c0) if r0 >= 0 and c0 >= 0 else None
    tensors = [
        tensor(
            "x (input)",
            lt.input,
            sample_view(lt.input, n, ch0)[0],
            highlight=inside,
            note=f"sample {n}, channel {ch0}",
        ),
        tensor("patch", patch, patch[..., ch0], note=note),
        tensor(f"W[:,:,{ch0},{fi}] (kernel)", w, w[:, :, ch0, fi], signed=True),
        tensor("patch ⊙ W", prod, prod[..., ch0], signed=True, note=note),
        tensor(
            "z (pre-activation)",
            z,
            z[n, :, :, fi],
            highlight=(i, j),
            signed=True,
            note=f"sample {n}, filter {fi}",
        ),
        tensor(
            f"a = {act}(z) (feature map)",
            lt.output,
            lt.output[n, :, :, fi],
            highlight=(i, j),
            note=f"sample {n}, filter {fi}",
        ),
    ]
    return Explanation(
        title=stage_title(lt, "forward"),
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=terms,
        term_header="x[patch] · W[u,v,c,f]",
        total=total,
        value=float(z[n, i, j, fi]),
        value_label=f"z{at}",
        cursor=(i, j),
        cursor_shape=(z.shape[1], z.shape[2]),
        selectors={"sample": (n, z.shape[0]), "filter": (fi, nf)},
    )


def conv_weight_terms(
    lt: LayerTrace, cfg: dict[str, Any], u: int, v: int, c: int, fi: int
) -> list[Term]:
    """dL/dW[u,v,c,f] = Σ_(n,i,j) patch_(n,i,j)[u,v,c] · dL/dz[n,i,j,f]."""
    gz = grad_z(lt)  # (N, OH, OW, F)
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
    gz = grad_z(lt)
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
        title=f"backward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=terms,
        term_header="x[patch] · dL/dz[n,i,j,f]",
        total=total,
        value=value,
        value_label=f"dL/dW[{u},{v},{ch},{fi}]",
        cursor=(r, fi),
        cursor_shape=(kh * kw * c, nf),
        selectors={"sample": (n, gz.shape[0])},
    )
