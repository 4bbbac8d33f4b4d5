"""Sequence layers: SimpleRNN/LSTM/GRU time step by time step, and self-attention's
scores, softmax and weighted sum, forward and backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import LayerTrace
from nntui.inspect.explanation import Explanation, Selection, Term, f, param_view, tensor, wrap

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
        f"forward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        [],
        "",
        total,
        value,
        f"h[{n},{t},{k}]",
        (t, k),
        (h.shape[1], h.shape[2]),
        {"sample": (n, h.shape[0])},
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
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        terms,
        header,
        total,
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


def attention_values(lt: LayerTrace, n: int, head: int) -> np.ndarray:
    """v = x·Wv + bv of one head, (T, value_dim), recomputed from the input and weights."""
    wv = lt.weights["value/kernel"][:, head, :]  # (D, dv)
    v = np.asarray(lt.input[n], np.float64) @ wv
    if "value/bias" in lt.weights:
        v = v + lt.weights["value/bias"][head]
    return v


def attention_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """S = q·kᵀ/√d, A = softmax(S) row by row, context_t = Σ_j A[t,j]·v_j."""
    s, a, ctx = lt.internals["scores"], lt.internals["attention"], lt.internals["context"]
    n_b, heads, t_len = s.shape[0], s.shape[1], s.shape[2]
    n, hd = wrap(sel.sample, n_b), wrap(sel.channel, heads)
    t, j = wrap(sel.row, t_len), wrap(sel.col, t_len)
    row = np.asarray(s[n, hd, t], np.float64)
    allowed = np.arange(t_len) <= t if cfg.get("causal") else np.ones(t_len, bool)
    e = np.where(allowed, np.exp(row - row[allowed].max()), 0.0)
    soft = e / e.sum()
    v = attention_values(lt, n, hd)
    terms = [
        Term(
            f"j={jj}",
            (float(a[n, hd, t, jj]), float(v[jj, 0])),
            float(np.float64(a[n, hd, t, jj]) * v[jj, 0]),
        )
        for jj in range(t_len)
    ]
    total = float(sum(x.value for x in terms))
    lines = [
        f"sample {n}, head {hd}, query t = {t}, key j = {j}"
        + (" (causal mask)" if cfg.get("causal") else ""),
        f"S[{t},{j}] = q_t·k_j/√d_k = {f(row[j])}",
        f"A[{t},{j}] = e^S[{t},{j}] / Σ_k e^S[{t},k] = {f(soft[j])}  (traced {f(a[n, hd, t, j])})",
        f"context[{t}] = Σ_j A[{t},j]·v_j; component 0 = {f(total)}"
        f"  (traced {f(ctx[n, t, hd, 0])})",
    ]
    tensors = [
        tensor(
            "S = q·kᵀ/√d (scores)",
            s,
            s[n, hd],
            highlight=(t, j),
            signed=True,
            note=f"sample {n}, head {hd}: query × key",
        ),
        tensor("A = softmax(S)", a, a[n, hd], highlight=(t, j), note="rows sum to 1"),
        tensor("v = x·Wv + bv", v, v, highlight=(j, 0), signed=True),
        tensor("context = A·v", ctx, ctx[n, :, hd, :], highlight=(t, 0), signed=True),
        tensor("output", lt.output, lt.output[n], signed=True),
    ]
    return Explanation(
        f"forward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        terms,
        "A[t,j] · v[j,0]",
        total,
        float(ctx[n, t, hd, 0]),
        f"context[{n},{t},{hd},0]",
        (t, j),
        (t_len, t_len),
        {"sample": (n, n_b), "head": (hd, heads)},
    )


def attention_backward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """dL/dS = A ⊙ (dL/dA − Σ_k dL/dA ⊙ A): the softmax's backward for the chosen score."""
    a, ga = lt.internals["attention"], lt.internals.get("grad_attention")
    n_b, heads, t_len = a.shape[0], a.shape[1], a.shape[2]
    n, hd = wrap(sel.sample, n_b), wrap(sel.channel, heads)
    t, j = wrap(sel.row, t_len), wrap(sel.col, t_len)
    tensors = [tensor("A (attention)", a, a[n, hd], highlight=(t, j))]
    lines = ["dL/dS[t,j] = A[t,j]·(dL/dA[t,j] − Σ_k dL/dA[t,k]·A[t,k])"]
    total = None
    if ga is not None:
        arow, grow = np.asarray(a[n, hd, t], np.float64), np.asarray(ga[n, hd, t], np.float64)
        dot = float(grow @ arow)
        total = float(arow[j] * (grow[j] - dot))
        lines.append(f"= {f(arow[j])}·({f(grow[j])} − {f(dot)}) = {f(total)}")
        tensors.append(tensor("dL/dA", ga, ga[n, hd], highlight=(t, j), signed=True))
    tensors += [
        tensor(f"dL/d{k}", v, param_view(v), signed=True)
        for k, v in lt.grads.items()
        if v.ndim <= 3
    ][:4]
    return Explanation(
        f"backward · {lt.name} ({lt.kind})",
        lt.formula,
        tensors,
        lines,
        total=total,
        cursor=(t, j),
        cursor_shape=(t_len, t_len),
        selectors={"sample": (n, n_b), "head": (hd, heads)},
    )
