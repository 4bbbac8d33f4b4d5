"""The layer editor's rows: output shapes and parameter counts as Keras 3 gives them for
the same layers, the reason a row cannot connect, presets turned into tables that
build the same model."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.architectures.layer_table import (
    LAYER_TYPES,
    LayerContext,
    check_rows,
    config_with_layers,
    first_error,
    new_table,
    summary_text,
    tables_of,
)
from nntui.presets import load_preset, spec_from_dict

IMAGES = LayerContext((12, 12, 1), "classification", 4)
CNN = [{"type": "Conv2D", "filters": 6, "kernel_size": 3, "strides": 1, "padding": "same",
        "activation": "relu"},
       {"type": "MaxPooling2D", "pool_size": 2, "padding": "valid"},
       {"type": "Conv2D", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "valid",
        "activation": "tanh", "l2": 0.01},
       {"type": "Flatten"}, {"type": "Dropout", "rate": 0.3},
       {"type": "Dense", "units": 4, "activation": "softmax"}]
SEQUENCES = LayerContext((7, 3), "classification", 2)
RECURRENT = [{"type": "GRU", "units": 5, "return_sequences": True},
             {"type": "LSTM", "units": 6}, {"type": "Dense", "units": 2, "activation": "softmax"}]


def _keras_layers(keras: object, tables: list[dict]) -> list[object]:
    out = []
    for t in tables:
        args = {k: v for k, v in t.items() if k not in ("type", "l2")}
        out.append(getattr(keras.layers, t["type"])(**args))  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("ctx,tables", [(IMAGES, CNN), (SEQUENCES, RECURRENT)])
def test_rows_give_keras_shapes_and_parameter_counts(ctx: LayerContext, tables: list) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input(ctx.input_shape), *_keras_layers(keras, tables)])
    rows = check_rows(tables, ctx)
    assert first_error(rows) == ""
    for row, layer in zip(rows, model.layers, strict=True):
        assert row.output_shape == tuple(layer.output.shape[1:])
        assert row.params == layer.count_params()


def test_a_row_that_cannot_connect_says_why_and_disconnects_the_rest() -> None:
    tables = [new_table("Conv2D"), new_table("Dense"), new_table("Flatten"),
              {"type": "Dense", "units": 4, "activation": "softmax"}]
    rows = check_rows(tables, LayerContext((2,), "classification", 4))
    assert "Conv2D 'conv2d' expects inputs of shape (batch, …, …, …) but received (batch, 2)" \
        in rows[0].error
    assert all(r.output_shape is None and "not connected" in r.note for r in rows[1:])
    assert first_error(rows).startswith("layer 1: Conv2D")
    rows = check_rows([{"type": "Dense", "units": 0}], IMAGES)
    assert rows[0].error == "units must be a positive integer. Received: units=0"


def test_the_output_row_is_checked_against_the_classes() -> None:
    tables = [*CNN[:-1], {"type": "Dense", "units": 3, "activation": "softmax"}]
    rows = check_rows(tables, IMAGES)
    assert rows[-1].error == ("the output must have 4 units, one per class: the last layer "
                              "gives (3,)")
    rows = check_rows([*CNN[:-1], {"type": "Dense", "units": 4, "activation": "relu"}], IMAGES)
    assert rows[-1].error == "" and "softmax" in rows[-1].note
    regression = LayerContext((1,), "regression", None, 1)
    assert check_rows([{"type": "Dense", "units": 2}], regression)[0].error.startswith(
        "the output must have 1 unit, the target's size")


def test_every_offered_layer_type_builds_with_its_defaults() -> None:
    contexts = {"Conv2D": IMAGES, "MaxPooling2D": IMAGES, "AveragePooling2D": IMAGES,
                "Embedding": LayerContext((7,), "language", 32),
                "PositionalEmbedding": LayerContext((7, 16), "sequence", None)}
    for kind in LAYER_TYPES:
        ctx = contexts.get(kind, SEQUENCES)
        row = check_rows([new_table(kind)], ctx)[0]
        assert row.output_shape is not None, (kind, row.error)


@pytest.mark.parametrize("preset", ["mlp-spiral", "cnn-shapes", "lstm-memory"])
def test_a_presets_tables_build_the_same_model(preset: str) -> None:
    spec = load_preset(preset)
    spec = spec.with_train(backend="numpy")
    short = build_session(spec)
    tables = tables_of(short.model)
    long = build_session(spec_from_dict(config_with_layers(spec.to_dict(), tables)))
    assert [type(a) for a in long.model.layers] == [type(b) for b in short.model.layers]
    x = short.x_val[:16]
    np.testing.assert_array_equal(long.model.predict(x), short.model.predict(x))
    rows = check_rows(tables, LayerContext(tuple(short.dataset.input_shape),
                                           short.dataset.task, short.dataset.num_classes))
    assert [r.params for r in rows] == [ly.count_params() for ly in short.model.layers]


def test_the_summary_says_the_settings_in_a_few_words() -> None:
    assert summary_text(CNN[0]) == "6 filters, 3×3, same, relu"
    assert summary_text(CNN[2]) == "4 filters, 3×3, stride 2, tanh, L2 0.01"
    assert summary_text(RECURRENT[0]) == "5 units, return sequences"
