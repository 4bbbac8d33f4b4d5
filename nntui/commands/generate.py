"""``nntui generate RUN_DIR --prompt TEXT``: a trained language model continues a prompt.

The run folder's ``config.toml`` rebuilds the model, its checkpoint gives the weights
and the tokenizer (so no dataset is needed; a checkpoint without one rebuilds the
dataset, from ``--data-dir`` when given). The prompt and what the model writes
after it go to stdout; the same seed writes the same text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nntui.errors import ConfigError, DatasetError, NntuiError

LANGUAGE_MODELS = ("gpt", "transformer")


def _stand_in(tokenizer: Any, context: int) -> Any:
    """A dataset holding only what building the model needs: the vocabulary and context."""
    from nntui.data.dataset import Dataset

    ids = np.zeros((1, context), np.int64)
    vocab = tuple(tokenizer.token(i) for i in range(len(tokenizer.vocab)))
    meta = {"vocab": vocab, "stoi": {t: i for i, t in enumerate(vocab)}, "tokenizer": tokenizer}
    return Dataset("checkpoint", ids, ids, ids, ids, "language", len(vocab), None,
                   (context,), "the vocabulary a checkpoint carries", meta)


def load_language_model(run_dir: str | Path, data_dir: str | None = None) -> tuple[Any, Any, int]:
    """``(model, tokenizer, context)`` of a run folder, weights restored.

    Raises:
        NntuiError: no run folder; ConfigError: not a language model;
        CheckpointError: no or a damaged checkpoint.
    """
    from nntui.architectures import build_session, get_architecture
    from nntui.data.tokenizers import tokenizer_from_dict, tokenizer_of
    from nntui.presets import spec_from_dict
    from nntui.runlog.checkpoint import load_checkpoint
    from nntui.runlog.config import read_config
    from nntui.runlog.model_state import restore_state

    run = Path(run_dir)
    if not run.is_dir():
        raise NntuiError(f"no run folder at {str(run)!r}; pass a folder under runs/")
    spec = spec_from_dict(read_config(run))
    arch = get_architecture(spec.architecture)
    if arch.name not in LANGUAGE_MODELS:
        raise ConfigError(f"generate needs a language model ({', '.join(LANGUAGE_MODELS)}); "
                          f"{run} holds a {arch.name} run")
    ckpt = load_checkpoint(run)
    stored = ckpt.extra.get("tokenizer")
    if stored is not None:
        tokenizer, context = tokenizer_from_dict(stored), int(ckpt.extra["context"])
        session = arch.build(spec, _stand_in(tokenizer, context))
    else:
        session = build_session(spec, data_dir=data_dir)
        tokenizer, context = tokenizer_of(session.dataset.meta), session.dataset.input_shape[0]
    restore_state(session.model, ckpt.arrays)
    return session.model, tokenizer, int(context)


def generate_command(args: Any) -> int:
    from nntui.engine.sampling import generate

    model, tokenizer, context = load_language_model(args.run_dir, args.data_dir)
    try:
        prompt = tokenizer.encode(args.prompt)
    except DatasetError as e:
        raise ConfigError(f"--prompt: {e} of this run. Received: {args.prompt!r}") from None
    if not len(prompt):
        raise ConfigError("--prompt must hold at least one character. Received: ''")
    if args.tokens < 0:
        raise ConfigError(f"--tokens must be >= 0. Received: {args.tokens}")
    out = generate(model, prompt, args.tokens, context=context, temperature=args.temperature,
                   top_k=args.top_k, seed=args.seed)
    print(args.prompt + tokenizer.decode(out.tokens))
    return 0
