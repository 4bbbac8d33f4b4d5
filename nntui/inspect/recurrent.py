"""SimpleRNN, LSTM and GRU in the inspector: one time step's gates with their numbers,
forward and backward through time."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import LayerTrace
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    Term,
    f,
    param_view,
    tensor,
    wrap,
)

GATES = {  # trace key -> how the course names it
    "LSTM": [
        ("gate_i", "input gate i"),
        ("gate_f", "forget gate f"),
        ("candidate", "candidate g"),
        ("gate_o", "output gate o"),
        ("cell", "cell c"),
        ("hidden", "hidden h"),
    ],
    "GRU": [
        ("gate_z", "update gate z"),
        ("gate_r", "reset gate r"),
        ("candidate", "candidate ĥ"),
        ("hidden", "hidden h"),
    ],
    "SimpleRNN": [("hidden", "hidden h")],
}


def _act(name: Any, v: float) -> float:
    name = "linear" if name is None else str(name)
    if name == "tanh":
        return float(np.tanh(v))
    if name == "relu":
        return max(float(v), 0.0)
    if name == "sigmoid":
        return float(1 / (1 + np.exp(-v)))
    return float(v)


def _step_lines(
    kind: str, g: dict[str, np.ndarray], lt: LayerTrace, cfg: dict[str, Any], n: int, t: int, k: int
) -> tuple[list[str], float, float]:
    """The recurrence at step t, unit k, with numbers; returns (lines, recomputed h, traced h)."""
    h = g["hidden"]
    h_prev = float(h[n, t - 1, k]) if t > 0 else 0.0
    act = cfg.get("activation", "tanh")
    if kind == "LSTM":
        i, fg, gg, o = (
            float(g[key][n, t, k]) for key in ("gate_i", "gate_f", "candidate", "gate_o")
        )
        c_prev = float(g["cell"][n, t - 1, k]) if t > 0 else 0.0
        c = fg * c_prev + i * gg
        hv = o * _act(act, c)
        return (
            [
                f"i = {f(i)}   f = {f(fg)}   g = {f(gg)}   o = {f(o)}",
                f"c_t = f·c_(t−1) + i·g = {f(fg)}·{f(c_prev)} + {f(i)}·{f(gg)} = {f(c)}"
                f"  (traced {f(g['cell'][n, t, k])})",
                f"h_t = o·{act}(c_t) = {f(o)}·{f(_act(act, c))} = {f(hv)}",
            ],
            hv,
            float(h[n, t, k]),
        )
    if kind == "GRU":
        z, r, hh = (float(g[key][n, t, k]) for key in ("gate_z", "gate_r", "candidate"))
        hv = z * h_prev + (1 - z) * hh
        return (
            [
                f"z = {f(z)}   r = {f(r)}   ĥ = {f(hh)}",
                f"h_t = z·h_(t−1) + (1 − z)·ĥ = {f(z)}·{f(h_prev)} + {f(1 - z)}·{f(hh)} = {f(hv)}",
            ],
            hv,
            float(h[n, t, k]),
        )
    w, u = lt.weights["kernel"], lt.weights["recurrent_kernel"]
    b = lt.weights.get("bias")
    hp = h[n, t - 1] if t > 0 else np.zeros(u.shape[0])
    pre = float(
        np.asarray(lt.input[n, t], np.float64) @ w[:, k]
        + hp @ u[:, k]
        + (0.0 if b is None else b[k])
    )
    hv = _act(act, pre)
    return (
        [f"x_t·W + h_(t−1)·U + b = {f(pre)}", f"h_t = {act}({f(pre)}) = {f(hv)}"],
        hv,
        float(h[n, t, k]),
    )


def recurrent_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Every gate of one sample as (time × units) maps; the step at (t, unit) written out."""
    g = lt.internals
    h = g["hidden"]  # (N, T, u)
    n = wrap(sel.sample, h.shape[0])
    t, k = wrap(sel.row, h.shape[1]), wrap(sel.col, h.shape[2])
    lines, total, value = _step_lines(lt.kind, g, lt, cfg, n, t, k)
    lines.insert(0, f"sample {n}, time step t = {t}, unit {k}")
    tensors = [tensor("x (input)", lt.input, lt.input[n], note=f"sample {n}: time × features")]
    tensors += [
        tensor(label, g[key], g[key][n], highlight=(t, k), note="time × units")
        for key, label in GATES.get(lt.kind, [])
        if key in g
    ]
    return Explanation(
        title=f"forward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=[],
        term_header="",
        total=total,
        value=value,
        value_label=f"h[{n},{t},{k}]",
        cursor=(t, k),
        cursor_shape=(h.shape[1], h.shape[2]),
        selectors={"sample": (n, h.shape[0])},
    )


def recurrent_backward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Backpropagation through time: dL/dh per step, its norm per step, dW, dU, db."""
    names = [k for k in lt.grads]
    p = names[wrap(sel.param, len(names))] if names else ""
    tensors = []
    if lt.grad_output is not None:
        tensors.append(
            tensor(
                "dL/d(output)",
                lt.grad_output,
                param_view(lt.grad_output[:1]) if lt.grad_output.ndim == 3 else lt.grad_output,
                signed=True,
            )
        )
    norms = lt.internals.get("grad_hidden_norm_per_step")
    lines = [
        "dL/dW = Σ_t x_tᵀ·dL/dz_t    dL/dU = Σ_t h_(t−1)ᵀ·dL/dz_t    dL/db = Σ_t dL/dz_t",
        "dL/dh_(t−1) = dL/dz_t·Uᵀ (+ the cell path): the gradient flows back step by step",
    ]
    if norms is not None and len(norms):
        tensors.append(tensor("‖dL/dh_t‖ per step", norms, signed=False))
        lines.append(
            f"‖dL/dh‖ at t=0: {f(norms[0])}, at t=T−1: {f(norms[-1])}"
            f"  (ratio {f(norms[0] / norms[-1]) if norms[-1] else 'n/a'}: "
            "≪ 1 means vanishing)"
        )
    cursor, shape = (0, 0), (1, 1)
    value = total = None
    terms: list[Term] = []
    header = ""
    if p:
        gv = param_view(lt.grads[p])
        r, c = wrap(sel.row, gv.shape[0]), wrap(sel.col, gv.shape[1])
        cursor, shape, value = (r, c), gv.shape, float(gv[r, c])
        tensors.append(tensor(f"dL/d{p}", lt.grads[p], gv, highlight=(r, c), signed=True))
        written = recurrent_weight_terms(lt, p, r, c)
        if written is None:
            lines.append(f"dL/d{p}[{r},{c}] = {f(value)}")
        else:
            formula, header, terms = written
            total = float(np.sum([t.value for t in terms], dtype=np.float64))
            lines += [formula, f"  {len(terms)} terms = {f(total)}  (traced {f(value)})"]
    if lt.grad_input is not None:
        tensors.append(
            tensor(
                "dL/dx",
                lt.grad_input,
                lt.grad_input[0],
                signed=True,
                note="sample 0: time × features",
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
        value_label=f"dL/d{p}[{cursor[0]},{cursor[1]}]" if p else "",
        cursor=cursor,
        cursor_shape=tuple(shape),
        selectors={"param": (wrap(sel.param, len(names)), len(names))},
    )


BLOCKS = {"LSTM": ("i", "f", "c", "o"), "GRU": ("z", "r", "h"), "SimpleRNN": ("",)}
"""The gate blocks along the last axis of W, U and b, in Keras's order."""


def recurrent_weight_terms(
    lt: LayerTrace, param: str, r: int, c: int
) -> tuple[str, str, list[Term]] | None:
    """dL/dW, dL/dU or dL/db at [r, c] (the 2-D view) written out as a sum over every
    time step t and sample n: the formula, the factors' names and the terms.

    Uses the per-step dL/dz the layer traced (``grad_z_in`` for W and b, ``grad_z_rec``
    for U and GRU's second bias row); None when the trace lacks them.
    """
    g_in, g_rec = lt.internals.get("grad_z_in"), lt.internals.get("grad_z_rec")  # (T, N, k·u)
    if g_in is None or g_rec is None:
        return None
    steps, batch, width = g_in.shape
    blocks = BLOCKS.get(lt.kind, ("",))
    units = width // len(blocks)
    gate = blocks[c // units] if len(blocks) > 1 else ""
    col = f"column {c}: unit {c % units}" + (f" of block {gate}" if gate else "")
    if param == "kernel":
        x = lt.input  # (N, T, F)
        terms = [Term(f"t={t},n={n}", (float(x[n, t, r]), float(g_in[t, n, c])),
                      float(x[n, t, r]) * float(g_in[t, n, c]))
                 for t in range(steps) for n in range(batch)]
        return (f"dL/dW[{r},{c}] = Σ_t Σ_n x_t[n,{r}] · dL/dz_t[n,{c}]   ({col})",
                "x_t[n,r] · dL/dz_t[n,c]", terms)
    if param == "recurrent_kernel":
        h = lt.internals.get("hidden")  # (N, T, u)
        if h is None:
            return None
        terms = [Term(f"t={t},n={n}", (float(h[n, t - 1, r]), float(g_rec[t, n, c])),
                      float(h[n, t - 1, r]) * float(g_rec[t, n, c]))
                 for t in range(1, steps) for n in range(batch)]
        return (f"dL/dU[{r},{c}] = Σ_(t≥1) Σ_n h_(t−1)[n,{r}] · dL/dz_t[n,{c}]   "
                f"(h_0 = 0: step 0 adds nothing; {col})", "h_(t−1)[n,r] · dL/dz_t[n,c]", terms)
    if param == "bias":
        g, which = (g_rec, "recurrent") if r == 1 else (g_in, "input")
        terms = [Term(f"t={t},n={n}", (1.0, float(g[t, n, c])), float(g[t, n, c]))
                 for t in range(steps) for n in range(batch)]
        row = f"[{r},{c}]" if lt.kind == "GRU" else f"[{c}]"
        where = f", the {which} bias" if lt.kind == "GRU" else ""
        return (f"dL/db{row} = Σ_t Σ_n dL/dz_t[n,{c}]   ({col}{where})", "1 · dL/dz_t[n,c]",
                terms)
    return None
