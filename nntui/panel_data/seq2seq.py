"""Encoder–decoder: held-out inputs with the greedy output, a beam for one probe, and the
cross-attention of the last decoder block (output position × input position)."""

from __future__ import annotations

from typing import Any

import numpy as np

PROBES = 6
BEAM = 3


def _text(ids: np.ndarray, vocab: tuple[str, ...], pad: str = "") -> str:
    return "".join(vocab[int(i)] for i in ids).rstrip(pad) if pad else \
        "".join(vocab[int(i)] for i in ids)


def cross_attention(model: Any, x: np.ndarray) -> np.ndarray:
    """The last decoder block's cross-attention ``(P, H, T, S)`` on inputs ``x (P, S + T)``."""
    block = [ly for ly in model.decoder.layers if type(ly).__name__ == "TransformerDecoderBlock"]
    last = block[-1]
    last._trace = {}
    try:
        model.forward(model.ops.asarray(x))
        maps = model.ops.to_numpy(last._trace["cross_attention"])
    finally:
        last._trace = None
    return maps.astype(np.float32)


def seq2seq_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray
                 ) -> dict[str, Any]:
    """``sources``, ``truths``, ``outputs`` (greedy) for probes; ``beam`` [(text, log p)]
    of probe 0..P-1 picked by ``probe``; ``attention (P, H, T, S)`` with the greedy output
    fed back as the decoder's input; ``source_tokens`` and ``output_tokens`` per probe."""
    meta = session.dataset.meta
    vocab, pad, s = tuple(meta["vocab"]), meta["vocab"][meta["pad"]], model.source_length
    idx = np.linspace(0, len(x_val) - 1, min(PROBES, len(x_val))).round().astype(np.int64)
    x, y = np.asarray(x_val)[idx], np.asarray(y_val)[idx]
    out = model.greedy(x[:, :s])                                  # (P, T)
    fed = x.copy()
    fed[:, s + 1:] = out[:, :-1]                                  # its own output, shifted
    beams = [[(_text(ids, vocab), float(lp)) for ids, lp in model.beam(row[:s], BEAM)]
             for row in x[:2]]
    return {
        "sources": [_text(row[:s], vocab, pad) for row in x],
        "truths": [_text(row, vocab) for row in y],
        "outputs": [_text(row, vocab) for row in out],
        "beams": beams,
        "attention": cross_attention(model, fed),
        "source_tokens": [[vocab[int(i)] for i in row[:s]] for row in x],
        "output_tokens": [[vocab[int(i)] for i in row] for row in out],
    }
