"""The model as a list of layer tables (``model.layers``), checked row by row: what the
launcher's layer editor edits.

:data:`SETTINGS` says which settings each layer type offers the editor (its
constructor's arguments, Keras's names, with a default and a kind). :func:`check_rows`
builds the layers one after another from the dataset's input shape and returns, per
row, its output shape and parameter count (the ``summary()`` table) or why it cannot
connect; the last row is also checked against the dataset's targets.
:func:`tables_of` turns a built model back into tables (a preset opened in the editor),
and :func:`config_with_layers` gives the config ``nntui train`` runs.

Example:
    >>> rows = check_rows([{"type": "Dense", "units": 8}, {"type": "Conv2D", "filters": 4,
    ...                    "kernel_size": 3}], LayerContext((2,), "classification", 3))
    >>> rows[1].error
    "Conv2D 'conv2d' expects inputs of shape (batch, …, …, …) ..."
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.architectures.building import layer_from_dict
from nntui.engine.backend import get_backend
from nntui.engine.layers import LAYER_NAMES, get_layer_class
from nntui.engine.layers.activations import ACTIVATIONS
from nntui.engine.layers.base import snake_case
from nntui.engine.learner import Learner
from nntui.engine.losses import get_loss
from nntui.errors import ConfigError, ShapeError


@dataclass(frozen=True)
class Setting:
    """One setting of a layer type in the editor: ``kind`` is ``int``, ``float``,
    ``choice`` or ``bool``; ``l2`` stands for ``kernel_regularizer = {l2 = …}``."""

    name: str
    kind: str
    default: Any
    choices: tuple[str, ...] = ()
    help: str = ""


_ACT = tuple(ACTIVATIONS)
_PAD = ("valid", "same")


def _units(default: int = 32) -> Setting:
    return Setting("units", "int", default, help="output size")


def _act(default: str = "relu") -> Setting:
    return Setting("activation", "choice", default, _ACT, "activation function")


_L2 = Setting("l2", "float", 0.0, help="L2 penalty on the kernel (weight decay)")
_POOL = (Setting("pool_size", "int", 2, help="window size"),
         Setting("padding", "choice", "valid", _PAD, "'same' keeps the size"))
_RNN = (_units(), Setting("return_sequences", "bool", False, help="every step's output "
                          "(needed before another recurrent layer)"))

SETTINGS: dict[str, tuple[Setting, ...]] = {
    "Dense": (_units(), _act(), _L2),
    "LeakyReLU": (Setting("negative_slope", "float", 0.3, help="slope for z < 0 (Keras 0.3)"),),
    "Dropout": (Setting("rate", "float", 0.2, help="share of inputs dropped while training"),),
    "Conv2D": (Setting("filters", "int", 8, help="output channels"),
               Setting("kernel_size", "int", 3, help="kernel height and width"),
               Setting("strides", "int", 1, help="step between windows"),
               Setting("padding", "choice", "valid", _PAD, "'same' keeps the size"),
               _act(), _L2),
    "MaxPooling2D": _POOL,
    "AveragePooling2D": _POOL,
    "Flatten": (),
    "SimpleRNN": (*_RNN, _act("tanh")),
    "LSTM": _RNN,
    "GRU": _RNN,
    "Embedding": (Setting("input_dim", "int", 32, help="vocabulary size"),
                  Setting("output_dim", "int", 16, help="vector size")),
    "PositionalEmbedding": (Setting("max_length", "int", 32, help="longest sequence"),
                            Setting("output_dim", "int", 16, help="vector size")),
    "MultiHeadSelfAttention": (Setting("num_heads", "int", 2, help="attention heads"),
                               Setting("key_dim", "int", 8, help="size of each head"),
                               Setting("causal", "bool", False, help="see only the past")),
    "TransformerBlock": (Setting("num_heads", "int", 2, help="attention heads"),
                         Setting("key_dim", "int", 8, help="size of each head"),
                         Setting("ff_dim", "int", 64, help="feed-forward units"),
                         Setting("causal", "bool", True, help="see only the past")),
    "LayerNormalization": (),
    "GlobalAveragePooling1D": (),
}
"""The layer types the editor offers, with their settings in editing order."""
LAYER_TYPES = tuple(SETTINGS)


@dataclass(frozen=True)
class LayerContext:
    """What the rows connect to: one sample's shape, the task and its classes (or the
    target's size for regression)."""

    input_shape: tuple[int, ...]
    task: str
    num_classes: int | None = None
    target_size: int = 1


@dataclass(frozen=True)
class RowCheck:
    """One row: its output shape and parameters, or why it cannot be built (``error``);
    ``note`` a warning that does not stop training."""

    output_shape: tuple[int | None, ...] | None
    params: int
    error: str = ""
    note: str = ""


def new_table(layer_type: str) -> dict[str, Any]:
    """A layer of ``layer_type`` with the editor's defaults."""
    return {"type": layer_type, **{s.name: s.default for s in SETTINGS[layer_type]}}


def _constructor_args(table: dict[str, Any]) -> dict[str, Any]:
    """The table as ``layer_from_dict`` takes it (``l2`` as a kernel regularizer)."""
    out = {k: v for k, v in table.items() if k != "l2"}
    if table.get("l2"):
        out["kernel_regularizer"] = {"l2": float(table["l2"])}
    return out


def context_of(session: Any) -> LayerContext:
    """The :class:`LayerContext` of a built session (its dataset, else its model)."""
    ds = getattr(session, "dataset", None)
    if ds is None:
        model = session.model
        return LayerContext(tuple(model.input_shape), "classification",
                            int(model.sample_output_shape[-1]))
    size = int(np.prod(ds.y_train.shape[1:])) if ds.y_train.ndim > 1 else 1
    return LayerContext(tuple(ds.input_shape), ds.task, ds.num_classes, size)


def check_rows(tables: list[dict[str, Any]], ctx: LayerContext) -> list[RowCheck]:
    """Build the layers in order on ``ctx.input_shape``: each row's output shape and
    parameter count, or its error; rows after an error are not connected."""
    ops, rng = get_backend("numpy"), np.random.default_rng(0)
    shape: tuple[Any, ...] | None = ctx.input_shape
    out: list[RowCheck] = []
    for i, table in enumerate(tables):
        if shape is None:
            out.append(RowCheck(None, 0, "", "not connected: a layer above does not fit"))
            continue
        try:
            args = {"name": snake_case(str(table.get("type", ""))), **_constructor_args(table)}
            layer = layer_from_dict(args, f"layer {i + 1}")
            layer.ops = ops
            layer.build(shape, rng)
        except (ConfigError, ShapeError) as exc:
            out.append(RowCheck(None, 0, _short(str(exc))))
            shape = None
            continue
        shape = tuple(layer.output_shape or ())
        out.append(RowCheck(shape, layer.count_params()))
    if out and out[-1].output_shape is not None:
        out[-1] = _check_output(tables[-1], out[-1], ctx)
    return out


def _short(message: str) -> str:
    """A build error without its config path prefix (the row says where)."""
    return message.split("): ", 1)[1] if message.startswith("layer ") and "): " in message \
        else message


def _check_output(table: dict[str, Any], row: RowCheck, ctx: LayerContext) -> RowCheck:
    """The last layer against the dataset's targets (the loss's own check)."""
    classes = ctx.task in ("classification", "sequence") and ctx.num_classes
    loss = get_loss("sparse_categorical_crossentropy" if classes else "mse")
    assert row.output_shape is not None
    y = np.array([0, int(ctx.num_classes or 1) - 1]) if classes else \
        np.zeros((2, ctx.target_size), np.float32)  # the first and the last class
    want = f"{ctx.num_classes} units, one per class" if classes else \
        f"{ctx.target_size} unit{'s' if ctx.target_size > 1 else ''}, the target's size"
    try:
        loss.check_targets(y, (2, *(int(d or 0) for d in row.output_shape)))
        if classes and row.output_shape[-1] != ctx.num_classes:
            raise ShapeError("one unit per class")
    except (ConfigError, ShapeError):
        return RowCheck(row.output_shape, row.params,
                        f"the output must have {want}: the last layer gives "
                        f"{_shape_text(row.output_shape)}")
    if classes and table.get("activation") != "softmax":
        return RowCheck(row.output_shape, row.params, "",
                        "a classifier's last layer should use softmax (class probabilities)")
    return row


def _shape_text(shape: tuple[Any, ...]) -> str:
    """``(3,)``, ``(13, 13, 8)``, ``(?, 32)`` for a length left open."""
    return str(tuple("?" if d is None else d for d in shape)).replace("'?'", "?")


def total_params(rows: list[RowCheck]) -> int:
    return sum(r.params for r in rows)


def first_error(rows: list[RowCheck]) -> str:
    """``"layer 3: why"`` for the first row that cannot connect ("" when all do)."""
    return next((f"layer {i + 1}: {r.error}" for i, r in enumerate(rows) if r.error), "")


_WORDS = {"units": "{} units", "filters": "{} filters", "kernel_size": "{0}×{0}",
          "strides": "stride {}", "pool_size": "{0}×{0}", "rate": "rate {}",
          "input_dim": "vocabulary {}", "output_dim": "width {}", "max_length": "length {}",
          "num_heads": "{} heads", "key_dim": "key size {}", "ff_dim": "feed-forward {}"}


def summary_text(table: dict[str, Any]) -> str:
    """The row's settings in a few words: ``64 units, relu`` or ``8 filters, 3×3, same``
    (a setting at its usual value left out)."""
    parts = []
    for s in SETTINGS.get(str(table.get("type")), ()):
        v = table.get(s.name, s.default)
        if s.kind == "bool":
            parts.append(s.name.replace("_", " ") if v else "")
        elif s.name == "l2":
            parts.append(f"L2 {v:g}" if v else "")
        elif s.kind == "choice":
            parts.append(str(v) if s.name == "activation" or v != s.default else "")
        elif s.name == "strides":
            parts.append(_WORDS[s.name].format(v) if v != 1 else "")
        else:
            parts.append(_WORDS.get(s.name, s.name + " {}").format(v))
    return ", ".join(p for p in parts if p)


def tables_of(model: Learner) -> list[dict[str, Any]]:
    """A built model's layers as editor tables (settings the editor knows, plus the
    other non-default arguments its config holds)."""
    out = []
    for layer in model.layers:
        name = next((n for n in LAYER_NAMES if get_layer_class(n) is type(layer)),
                    type(layer).__name__)
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable")}
        table: dict[str, Any] = {"type": name}
        params = inspect.signature(type(layer).__init__).parameters
        for key, value in config.items():
            value = value[0] if isinstance(value, list) and len(set(value)) == 1 else value
            default = params[key].default if key in params else None
            known = any(s.name == key for s in SETTINGS.get(name, ()))
            if key == "strides" and value == table.get("pool_size"):
                continue  # pooling's default: as wide as the window
            if known or value != default:
                table[key] = value
        reg = layer.regularizers.get("kernel")
        if reg is not None and reg.l2:
            table["l2"] = reg.l2
        out.append(table)
    return out


def layers_config(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tables as ``model.layers`` writes them (``l2`` as a kernel regularizer)."""
    return [_constructor_args(t) for t in tables]


def config_with_layers(base: dict[str, Any], tables: list[dict[str, Any]]) -> dict[str, Any]:
    """``base`` (a ``RunSpec.to_dict()``) with its model given as ``model.layers``."""
    d = {k: v for k, v in base.items()}
    d["model"] = {"layers": layers_config(tables)}
    return d
