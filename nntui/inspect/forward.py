"""Forward stages: what one layer computed, and one output element written out.

Each ``*_forward(lt, sel, cfg)`` takes the layer's :class:`LayerTrace`, the
learner's :class:`Selection` and the layer's config, and returns an
:class:`Explanation` whose ``total`` (recomputed here in float64) must equal the
traced ``value``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.layers.conv import same_pads
from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import activation_name, apply_activation
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    Term,
    f,
    sample_view,
    tensor,
    wrap,
)


def _title(lt: LayerTrace, phase: str) -> str:
    return f"{phase} · {lt.name} ({lt.kind})"


def activation_lines(
    name: str, z: float, a: float, row: np.ndarray | None, k: int, cfg: dict[str, Any], at: str
) -> list[str]:
    """``a = g(z)`` for one element with its numbers (softmax: over ``row``, entry k)."""
    if name == "softmax" and row is not None:
        e = np.exp(np.asarray(row, np.float64) - np.max(row))
        return [f"a{at} = e^z{at} / Σ_k e^z[k] = {f(e[k] / e.sum())}  (traced {f(a)})"]
    g = apply_activation(name, z, cfg)
    if g is None:
        return [f"a{at} = {f(a)}"]
    return [f"a{at} = {name}(z{at}) = {name}({f(z)}) = {f(g)}  (traced {f(a)})"]


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
        _title(lt, "forward"),
        lt.formula,
        tensors,
        lines,
        terms,
        "x[n,i] · W[i,j]",
        total,
        float(z[n, j]),
        f"z[{n},{j}]",
        (n, j),
        tuple(z.shape),
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
        _title(lt, "forward"),
        lt.formula,
        tensors,
        lines,
        terms,
        "x[patch] · W[u,v,c,f]",
        total,
        float(z[n, i, j, fi]),
        f"z{at}",
        (i, j),
        (z.shape[1], z.shape[2]),
        {"sample": (n, z.shape[0]), "filter": (fi, nf)},
    )


def pool_window(
    lt: LayerTrace, cfg: dict[str, Any], n: int, i: int, j: int, ch: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """The (ph, pw) window of channel ``ch`` under output cell (i, j), NaN on padding,
    and the input (row, col) of its top-left corner."""
    ph, pw = cfg.get("pool_size", (2, 2))
    sh, sw = cfg.get("strides", (ph, pw))
    x = np.asarray(lt.input[n, :, :, ch], np.float64)
    h, w = x.shape
    pads = (
        (same_pads(h, ph, sh), same_pads(w, pw, sw))
        if cfg.get("padding") == "same"
        else ((0, 0), (0, 0))
    )
    xp = np.pad(x, pads, constant_values=np.nan)
    return xp[i * sh : i * sh + ph, j * sw : j * sw + pw], (
        i * sh - pads[0][0],
        j * sw - pads[1][0],
    )


def pool_winner(
    lt: LayerTrace, cfg: dict[str, Any], n: int, i: int, j: int, ch: int
) -> tuple[int, int]:
    """The input (row, col) the max-pooling window (i, j) took its value from (traced argmax)."""
    pw = cfg.get("pool_size", (2, 2))[1]
    slot = int(lt.internals["argmax"][n, i, j, ch])
    _, (r0, c0) = pool_window(lt, cfg, n, i, j, ch)
    return r0 + slot // pw, c0 + slot % pw


def pool_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Max pooling: which input won the window; average pooling: the window's mean."""
    out = lt.output
    n, ch = wrap(sel.sample, out.shape[0]), wrap(sel.channel, out.shape[3])
    i, j = wrap(sel.row, out.shape[1]), wrap(sel.col, out.shape[2])
    win, (r0, c0) = pool_window(lt, cfg, n, i, j, ch)
    at = f"[{n},{i},{j},{ch}]"
    if "argmax" in lt.internals:
        r, c = pool_winner(lt, cfg, n, i, j, ch)
        total = float(np.nanmax(win))
        lines = [
            f"window rows {r0}..{r0 + win.shape[0] - 1}, cols {c0}..{c0 + win.shape[1] - 1}",
            f"out{at} = max(window) = x[{n},{r},{c},{ch}] = {f(total)}"
            f"  (traced {f(out[n, i, j, ch])})",
            "backward sends dL/dout to this winner only; the other inputs get 0",
        ]
        hl = (r, c)
    else:
        total = float(np.nanmean(win))
        lines = [
            f"out{at} = mean of the {int(np.sum(~np.isnan(win)))} real pixels = {f(total)}"
            f"  (traced {f(out[n, i, j, ch])})"
        ]
        hl = (max(r0, 0), max(c0, 0))
    tensors = [
        tensor(
            "x (input)",
            lt.input,
            lt.input[n, :, :, ch],
            highlight=hl,
            note=f"sample {n}, channel {ch}",
        ),
        tensor("window", win, note="nan: padding"),
        tensor("out", out, out[n, :, :, ch], highlight=(i, j), note=f"sample {n}, channel {ch}"),
    ]
    return Explanation(
        _title(lt, "forward"),
        lt.formula,
        tensors,
        lines,
        [],
        "",
        total,
        float(out[n, i, j, ch]),
        f"out{at}",
        (i, j),
        (out.shape[1], out.shape[2]),
        {"sample": (n, out.shape[0]), "channel": (ch, out.shape[3])},
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
        _title(lt, "forward"),
        lt.formula,
        tensors,
        lines,
        cursor=(r, c),
        cursor_shape=tuple(out_v.shape),
        value=float(out_v[r, c]),
        value_label="output",
        selectors={"sample": (wrap(sel.sample, len(lt.output)), len(lt.output))},
    )
