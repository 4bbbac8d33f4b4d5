"""GPT: a causal transformer language model that writes text one token at a time.

Token and position embeddings, pre-LN transformer blocks with causal self-attention,
a final layer norm and a softmax over the vocabulary (GPT-2's layout, minGPT's
blocks). It trains on next-token prediction over windows of a text (Tiny
Shakespeare, any text file); its panel shows text it writes as it learns, the
probabilities behind each written token, each head's attention over the prompt,
and the validation loss in nats per token with its perplexity.
``nntui generate RUN_DIR --prompt ...`` continues a prompt from a finished run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import compile_supervised, sequential
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.data.tokenizers import Tokenizer, tokenizer_of
from nntui.engine.layers import get_layer_class
from nntui.engine.layers.base import Layer
from nntui.engine.model import Input
from nntui.errors import ConfigError, DatasetError
from nntui.panel_data.gpt import gpt_data


def _prompt(path: str, v: Any) -> None:
    if not isinstance(v, str) or not v or len(v) > 256:
        raise ConfigError(f"{path} must be text of 1 to 256 characters, the start of the "
                          f"panel's samples. Received: {v!r}"[:300])


FIELDS = (
    f.ModelField("embed_dim", f.int_range(1, 1024), 128, "width", "int",
                 help="size of each token's vector (embedding and blocks)"),
    f.ModelField("num_heads", f.int_range(1, 64), 4, "heads", "int",
                 help="attention heads per block"),
    f.ModelField("key_dim", f.int_range(1, 1024), None, "key size", "int",
                 help="size of each head's queries and keys (default: width / heads)"),
    f.ModelField("ff_dim", f.int_range(1, f.MAX_UNITS), None, "feed-forward units", "int",
                 help="hidden units of each block's feed-forward layer (default: 4 × width)"),
    f.ModelField("blocks", f.int_range(1, 16), 3, "blocks", "int",
                 help="transformer blocks stacked"),
    f.ModelField("prompt", _prompt, None, None, "table",
                 help="the start of the panel's live samples (default: held-out text)"),
)


def gpt_layers(vocab: int, context: int, dim: int, heads: int, key_dim: int, ff_dim: int,
               blocks: int, dropout: float = 0.0) -> list[Any]:
    """``Input((T,))``, the embeddings, ``blocks`` causal blocks, LN and the softmax head:
    ``(N, T) ids -> (N, T, V)`` next-token probabilities."""
    L = get_layer_class
    layers: list[Any] = [Input((context,)), L("Embedding")(vocab, dim, name="token_embedding"),
                         L("PositionalEmbedding")(context, dim, name="position_embedding")]
    layers += [L("TransformerBlock")(heads, key_dim, ff_dim, causal=True, dropout=dropout,
                                     name=f"block_{i + 1}") for i in range(blocks)]
    head: list[Layer] = [L("LayerNormalization")(name="final_norm"),
                         L("Dense")(vocab, activation="softmax", name="output")]
    return layers + head


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch, m = ARCHITECTURE, spec.model
    context, vocab = ds.input_shape[0], int(ds.num_classes or 0)
    dim, heads = int(arch.value(m, "embed_dim")), int(arch.value(m, "num_heads"))
    key_dim = int(arch.value(m, "key_dim") or dim // heads)
    ff = int(arch.value(m, "ff_dim") or 4 * dim)
    model = sequential(spec, gpt_layers(vocab, context, dim, heads, key_dim, ff,
                                        int(arch.value(m, "blocks")), spec.train.dropout))
    compile_supervised(spec, model, ds)
    session = Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    tokenizer = tokenizer_of(ds.meta)
    session.info["tokenizer"] = tokenizer
    session.info["prompt"] = _prompt_ids(spec, ds, tokenizer)
    # the checkpoint carries the tokenizer: `nntui generate` needs no dataset
    session.info["checkpoint_extra"] = {"tokenizer": tokenizer.to_dict(), "context": context}
    return session


def _prompt_ids(spec: RunSpec, ds: Dataset, tokenizer: Tokenizer) -> np.ndarray:
    """The panel's prompt as ids: ``model.prompt`` encoded, else held-out text's start."""
    text = spec.model.get("prompt")
    if text is None:
        return np.asarray(ds.x_test[0][: max(1, ds.input_shape[0] // 2)], np.int64)
    try:
        return tokenizer.encode(text)
    except DatasetError as e:  # a character outside the vocabulary
        raise ConfigError(f"model.prompt: {e}. Received: {text!r}") from None


def check_data(spec: RunSpec, ds: Dataset) -> None:
    if ds.task != "language" or "vocab" not in ds.meta:
        raise ConfigError(f"GPT learns from text: choose tinyshakespeare or text "
                          f"(path=...). Received: dataset {ds.name!r}")


def panel_data(session: Session, model: Any, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return gpt_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="gpt", title="GPT (language model)",
    one_line="a causal transformer that learns to write text one character at a time",
    input_kinds=("text",), default_preset="gpt-shakespeare", fields=FIELDS,
    build=build, panel_data=panel_data, panel="gpt", order=72,
    unused_train=frozenset({"l1", "l2"}), check_model_extra=f.heads_fit(FIELDS),
    check_data=check_data)
ARCHITECTURES = (ARCHITECTURE,)
