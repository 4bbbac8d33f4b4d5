"""Encoder–decoder transformer: reads a sequence, writes another ("translation").

An encoder of self-attention blocks turns the input into a memory; a decoder writes
the output one token at a time, each position reading the memory through
cross-attention. On ``dates`` it translates dates as people write them into ISO 8601.
Its panel shows held-out inputs with the greedy and beam outputs, and the
cross-attention map (output position × input position) forming as it learns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import make_optimizer, sequential
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.model import Input
from nntui.engine.seq2seq import Seq2Seq
from nntui.panel_data.seq2seq import seq2seq_data

FIELDS = (
    f.ModelField("embed_dim", f.int_range(1, 1024), 64, "width", "int",
                 help="size of each token's vector (embeddings and blocks)"),
    f.ModelField("num_heads", f.int_range(1, 64), 4, "heads", "int",
                 help="attention heads per attention layer"),
    f.ModelField("ff_dim", f.int_range(1, f.MAX_UNITS), None, "feed-forward units", "int",
                 help="hidden units of each block's feed-forward layer (default: 4 × width)"),
    f.ModelField("encoder_blocks", f.int_range(1, 16), 2, "encoder blocks", "int",
                 help="self-attention blocks reading the input"),
    f.ModelField("decoder_blocks", f.int_range(1, 16), 2, "decoder blocks", "int",
                 help="blocks writing the output: causal self-attention, cross-attention"),
)


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch, m, L, seed = ARCHITECTURE, spec.model, get_layer_class, spec.train.seed
    s, t = int(ds.meta["source_length"]), int(ds.meta["target_length"])
    vocab = int(ds.num_classes or 0)
    dim, heads = int(arch.value(m, "embed_dim")), int(arch.value(m, "num_heads"))
    ff, key = int(arch.value(m, "ff_dim") or 4 * dim), dim // heads
    encoder = sequential(spec, [
        Input((s,)), L("Embedding")(vocab, dim, name="source_embedding"),
        L("PositionalEmbedding")(s, dim, name="source_position"),
        *[L("TransformerBlock")(heads, key, ff, causal=False, name=f"encoder_{i + 1}")
          for i in range(int(arch.value(m, "encoder_blocks")))],
        L("LayerNormalization")(name="encoder_norm")], name="encoder", seed=seed)
    embed = sequential(spec, [
        Input((t,)), L("Embedding")(vocab, dim, name="target_embedding"),
        L("PositionalEmbedding")(t, dim, name="target_position")], name="embed", seed=seed + 1)
    decoder = sequential(spec, [
        Input((t + s, dim)),
        *[L("TransformerDecoderBlock")(heads, key, ff, memory_length=s, name=f"decoder_{i + 1}")
          for i in range(int(arch.value(m, "decoder_blocks")))],
        L("Cropping1D")((0, s), name="drop_memory"),
        L("LayerNormalization")(name="decoder_norm"),
        L("Dense")(vocab, activation="softmax", name="output")], name="decoder", seed=seed + 2)
    model = Seq2Seq(encoder, embed, decoder, start=int(ds.meta["start"]), name=spec.name)
    model.compile([make_optimizer(spec) for _ in range(3)])
    return Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def panel_data(session: Session, model: Any, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return seq2seq_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="seq2seq", title="Encoder–decoder transformer",
    one_line="reads one sequence, writes another through cross-attention (translation)",
    input_kinds=("pairs",), default_preset="seq2seq-dates", fields=FIELDS,
    build=build, panel_data=panel_data, panel="seq2seq", order=74,
    unused_train=frozenset({"loss", "metrics", "l1", "l2", "dropout"}),
    check_model_extra=f.heads_fit(FIELDS))
ARCHITECTURES = (ARCHITECTURE,)
