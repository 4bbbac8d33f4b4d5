"""The tiny transformer: token and position embeddings, causal self-attention blocks,
softmax over the vocabulary (a character-level language model).

Its panel shows each head's attention over a probe input and the text the model
writes after a prompt.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import compile_supervised, sequential
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.engine.model import Input
from nntui.panel_data.language import transformer_data

FIELDS = (
    f.ModelField("embed_dim", f.int_range(1, 1024), 32, "width", "int",
                 help="size of each token's vector (embedding and blocks)"),
    f.ModelField("num_heads", f.int_range(1, 64), 2, "heads", "int",
                 help="attention heads per block"),
    f.ModelField("key_dim", f.int_range(1, 1024), None, "key size", "int",
                 help="size of each head's queries and keys (default: width / heads)"),
    f.ModelField("ff_dim", f.int_range(1, f.MAX_UNITS), None, "feed-forward units", "int",
                 help="hidden units of each block's feed-forward layer (default: 4 × width)"),
    f.ModelField("blocks", f.int_range(1, 16), 1, "blocks", "int",
                 help="transformer blocks stacked"),
)


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch, m, L = ARCHITECTURE, spec.model, get_layer_class
    t, vocab = ds.input_shape[0], int(ds.num_classes or 0)
    dim, heads = int(arch.value(m, "embed_dim")), int(arch.value(m, "num_heads"))
    key_dim = int(arch.value(m, "key_dim") or dim // heads)
    ff = int(arch.value(m, "ff_dim") or 4 * dim)
    layers: list[Any] = [Input((t,)), L("Embedding")(vocab, dim), L("PositionalEmbedding")(t, dim)]
    layers += [L("TransformerBlock")(heads, key_dim, ff, causal=True)
               for _ in range(int(arch.value(m, "blocks")))]
    layers += [L("LayerNormalization")(), L("Dense")(vocab, activation="softmax", name="output")]
    model = sequential(spec, layers)
    compile_supervised(spec, model, ds)
    return Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return transformer_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="transformer", title="Tiny transformer",
    one_line="self-attention over characters: learns addition, writes text",
    input_kinds=("text",), default_preset="transformer-addition", fields=FIELDS,
    build=build, panel_data=panel_data, panel="transformer", order=70,
    unused_train=frozenset({"l1", "l2", "dropout"}), check_model_extra=f.heads_fit(FIELDS))
ARCHITECTURES = (ARCHITECTURE,)
