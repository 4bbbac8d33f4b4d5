"""The tiny transformer: attention weights per head for probe inputs, and greedy samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.trace import traced_step
from nntui.panel_data.common import probe_indices

PROBES = 3
MAX_NEW = 16  # characters generated at most per sample


def _decode(ids: np.ndarray, vocab: tuple[str, ...]) -> str:
    return "".join(vocab[int(i)] if 0 <= int(i) < len(vocab) else "?" for i in ids)


def greedy_continue(model: Any, ids: np.ndarray, start: int) -> np.ndarray:
    """Greedy next characters ``(P, n)`` from position ``start`` of ``ids (P, T)`` on.

    Each choice is written into the next position before predicting again. The model
    is causal, so the prediction at position ``p`` depends only on positions ``≤ p``
    and the not-yet-written tail does not matter.
    """
    ids = ids.copy()
    chosen = []
    for p in range(start, min(ids.shape[1], start + MAX_NEW)):
        probs = model.predict_arrays(ids, batch_size=len(ids))  # (P, T, V)
        nxt = probs[:, p].argmax(axis=-1)  # (P,)
        chosen.append(nxt)
        if p + 1 < ids.shape[1]:
            ids[:, p + 1] = nxt
    return np.stack(chosen, axis=1) if chosen else np.zeros((len(ids), 0), np.int64)


def transformer_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray
                     ) -> dict[str, Any]:
    """``attention`` ``(B, P, H, T, T)`` for each transformer block, the probes' characters,
    and each probe's prompt with the model's greedy continuation and the truth."""
    meta = session.dataset.meta
    vocab = tuple(meta.get("vocab", ()))
    idx = probe_indices(len(x_val), None, PROBES)
    x, y = np.asarray(x_val)[idx], np.asarray(y_val)[idx]
    trace = traced_step(model, x, y)
    attention = [t.internals["attention"].astype(np.float32) for t in trace.layers
                 if "attention" in t.internals]
    start = int(meta.get("answer_start", x.shape[1] // 2))  # last prompt position in x
    generated = greedy_continue(model, x, start)  # (P, n)
    truth = y[:, start:start + generated.shape[1]]
    return {
        "attention": np.stack(attention) if attention else np.zeros((0,)),
        "tokens": [[vocab[int(i)] if vocab else str(int(i)) for i in row] for row in x],
        "prompts": [_decode(row[:start + 1], vocab) for row in x],
        "generated": [_decode(row, vocab) for row in generated],
        "truths": [_decode(row, vocab) for row in truth],
        "vocab": list(vocab)}
