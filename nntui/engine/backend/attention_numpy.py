"""Scaled dot-product attention and the embedding gradient as NumPy kernels.

The formulas are ``MultiHeadSelfAttention``'s and ``Embedding``'s (the layers keep them
readable); here they run with one allocation per result: the mask is added in place,
the softmax exponentiates and normalises the scores where they lie, and its backward
(``a ⊙ (g − Σ g⊙a)``) overwrites the gradient it was given.
"""

from __future__ import annotations

import numpy as np

MASKED = -1e9  # Keras's large negative for masked scores

_MASKS: dict[tuple[int, np.dtype], np.ndarray] = {}


def causal_bias(t: int, dtype: np.dtype) -> np.ndarray:
    """(T, T): 0 on and below the diagonal, −1e9 above (key j > query i is masked)."""
    key = (t, np.dtype(dtype))
    if key not in _MASKS:
        _MASKS[key] = np.triu(np.full((t, t), MASKED, dtype), k=1)
    return _MASKS[key]


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, causal: bool,
              drop: np.ndarray | None, keep_scores: bool
              ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """S = q·kᵀ·scale; A = softmax(S + M); C = (A ⊙ drop)·v over (N, H, T, d) heads.

    Returns ``(S or None, A, C)``: S (a copy, before the mask) only with ``keep_scores``.
    """
    s = np.matmul(q, k.swapaxes(-1, -2))                  # (N,H,T,d) @ (N,H,d,T) -> (N,H,T,T)
    s *= scale
    scores = s.copy() if keep_scores else None
    if causal:
        s += causal_bias(s.shape[-1], s.dtype)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s *= np.reciprocal(s.sum(axis=-1, keepdims=True))     # rows sum to one: A
    used = s if drop is None else s * drop
    return scores, s, np.matmul(used, v)                  # (N,H,T,T) @ (N,H,T,dv)


def attention_backward(q: np.ndarray, k: np.ndarray, v: np.ndarray, attn: np.ndarray,
                       drop: np.ndarray | None, g_ctx: np.ndarray, scale: float,
                       keep_grad_attention: bool
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """From dL/dC: dL/dv = Uᵀ·g, dL/dA = (g·vᵀ) ⊙ drop, dL/dS = A ⊙ (dL/dA − Σ dL/dA ⊙ A),
    dL/dq = dL/dS·k·scale, dL/dk = dL/dSᵀ·q·scale (U = A ⊙ drop).

    Returns ``(dq, dk, dv, dL/dA or None)``; dL/dA (a copy) only with
    ``keep_grad_attention``.
    """
    used = attn if drop is None else attn * drop
    g_v = np.matmul(used.swapaxes(-1, -2), g_ctx)         # (N,H,T,T)ᵀ @ (N,H,T,dv)
    g = np.matmul(g_ctx, v.swapaxes(-1, -2))              # (N,H,T,dv) @ (N,H,dv,T): dL/dU
    if drop is not None:
        g *= drop
    g_attn = g.copy() if keep_grad_attention else None
    row = np.einsum("...ij,...ij->...i", g, attn)[..., None]  # Σ_j dL/dA ⊙ A, (N,H,T,1)
    g -= row
    g *= attn                                             # dL/dS
    g_q = np.matmul(g, k)                                 # (N,H,T,T) @ (N,H,T,d)
    g_q *= scale
    g_k = np.matmul(g.swapaxes(-1, -2), q)
    g_k *= scale
    return g_q, g_k, g_v, g_attn


def scatter_add_rows(n_rows: int, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``out[idx[m]] += values[m]`` for repeated ids (the embedding's dL/dE).

    Rows of ``values`` sorted by id, then one ``add.reduceat`` per run of equal ids: a
    pass over memory instead of ``np.add.at``'s element-by-element scatter.
    """
    tail = values.shape[idx.ndim:]
    flat = idx.reshape(-1)
    vals = values.reshape((flat.size,) + tail)
    out = np.zeros((n_rows,) + tail, values.dtype)
    if flat.size == 0:
        return out
    order = np.argsort(flat, kind="stable")
    ids = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    out[ids[starts]] = np.add.reduceat(vals[order], starts, axis=0)
    return out
