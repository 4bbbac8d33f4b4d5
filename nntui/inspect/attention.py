"""Attention in the inspector: one head's scores, softmax and weighted values."""

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
        title=f"forward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=terms,
        term_header="A[t,j] · v[j,0]",
        total=total,
        value=float(ctx[n, t, hd, 0]),
        value_label=f"context[{n},{t},{hd},0]",
        cursor=(t, j),
        cursor_shape=(t_len, t_len),
        selectors={"sample": (n, n_b), "head": (hd, heads)},
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
        title=f"backward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        total=total,
        cursor=(t, j),
        cursor_shape=(t_len, t_len),
        selectors={"sample": (n, n_b), "head": (hd, heads)},
    )
