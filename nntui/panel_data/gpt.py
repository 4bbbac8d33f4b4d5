"""GPT: a sample written from the panel's prompt, each token's candidates, attention.

Every snapshot writes :data:`SAMPLE_TOKENS` tokens after the prompt with the same
seed, so the text changes only because the weights did. The settings (prompt,
temperature, top-k) are a :class:`SamplingSettings` in ``session.info["sampling"]``,
which the app's prompt box and keys replace between snapshots; the text comes back
through ``session.info["tokenizer"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.engine.sampling import generate

SAMPLE_TOKENS = 120
SAMPLE_SEED = 0
MAX_PROMPT_ATTENTION = 48  # prompt tokens the attention maps show at most


@dataclass(frozen=True)
class SamplingSettings:
    """What the GPT panel writes: after ``prompt`` (ids), at ``temperature``, top ``top_k``."""

    prompt: np.ndarray
    temperature: float = 0.8
    top_k: int | None = None
    tokens: int = SAMPLE_TOKENS


def settings(session: Any) -> SamplingSettings:
    """The session's sampling settings (the build's prompt at temperature 0.8 at first)."""
    current = session.info.get("sampling")
    if current is None:
        current = session.info["sampling"] = SamplingSettings(session.info["prompt"])
    return current  # type: ignore[no-any-return]


def attention_over(model: Any, ids: np.ndarray) -> np.ndarray:
    """Every block's attention ``(B, H, t, t)`` on one forward pass over ``ids (t,)``."""
    ops = model.ops
    for layer in model.layers:
        layer._trace = {}
    try:
        model.forward(ops.asarray(ids[None, :].astype(np.int64)), training=False)
        maps = [ops.to_numpy(layer._trace["attention"])[0] for layer in model.layers
                if layer._trace and "attention" in layer._trace]
    finally:
        for layer in model.layers:
            layer._trace = None
    if not maps:
        return np.zeros((0, 0, len(ids), len(ids)), np.float32)
    return np.stack(maps).astype(np.float32)


def gpt_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
    """``prompt``, ``sample`` (text), ``steps`` [(chosen, [(token, q)...])] for each written
    token, ``attention (B, H, P, P)`` over the prompt with its ``prompt_tokens``, and the
    settings used."""
    tok = session.info["tokenizer"]  # set by the architecture (see nntui.data.tokenizers)
    s = settings(session)
    context = int(session.dataset.input_shape[0])
    out = generate(model, s.prompt, s.tokens, context=context, temperature=s.temperature,
                   top_k=s.top_k, seed=SAMPLE_SEED)
    shown = s.prompt[-MAX_PROMPT_ATTENTION:][-context:]
    return {
        "prompt": tok.decode(s.prompt),
        "sample": tok.decode(out.tokens),
        "steps": [(tok.token(st.token), [(tok.token(t), q) for t, q in st.candidates])
                  for st in out.steps],
        "attention": attention_over(model, shown),
        "prompt_tokens": [tok.token(int(i)) for i in shown],
        "temperature": s.temperature,
        "top_k": s.top_k,
        "seed": SAMPLE_SEED,
        "tokens": [tok.token(int(i)) for i in np.concatenate([s.prompt, out.tokens])],
        **tokenizer_data(session),
    }


def tokenizer_data(session: Any) -> dict[str, Any]:
    """How the text became tokens: ``tokenizer`` kind, ``vocab_size``, ``chars_per_token``
    over the dataset, and for BPE every ``merges`` step (left, right, count, sequence
    length, vocabulary size after it)."""
    tok, meta = session.info["tokenizer"], session.dataset.meta
    chars, tokens = meta.get("characters"), meta.get("tokens")
    steps = [(m.left, m.right, m.count, m.length, m.vocab) for m in getattr(tok, "steps", ())]
    return {"tokenizer": getattr(tok, "kind", "char"), "vocab_size": len(tok.vocab),
            "chars_per_token": chars / tokens if chars and tokens else 1.0, "merges": steps}
