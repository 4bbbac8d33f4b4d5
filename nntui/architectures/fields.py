"""The ``[model]`` fields of an architecture: each key's check, default and label.

An architecture lists its :class:`ModelField` s; :func:`check_model` validates a
``[model]`` table against them before anything is built. A key the architecture
does not use, or a value of the wrong type or range, raises :class:`ConfigError`
naming ``model.<key>``, the value and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nntui.errors import ConfigError

MAX_UNITS = 4096  # per layer; a terminal lab's models are small, and this bounds memory
MAX_LAYERS = 16  # per units list
MAX_KERNEL = 32
MAX_EPOCHS = 10_000

Check = Callable[[str, Any], None]


@dataclass(frozen=True)
class ModelField:
    """One ``[model]`` key.

    Attributes:
        name: the key, e.g. ``"hidden"``.
        check: raises :class:`ConfigError` for a bad value (``check(path, value)``).
        default: the value used when the key is absent.
        label: what the launcher calls it (None: not a launcher field).
        kind: how the launcher edits it: ``"units"`` (a list of sizes), ``"int"``,
            ``"float"``, ``"choice"`` or ``"table"`` (TOML only).
        choices: the allowed values of a ``"choice"`` field.
        help: one line for the launcher's tooltip.
        per_layer: the ``"units"`` field whose layers this choice follows: a list gives
            one value per layer (``activation = ["relu", "tanh"]``), a string all of them.
    """

    name: str
    check: Check
    default: Any = None
    label: str | None = None
    kind: str = "table"
    choices: tuple[str, ...] = ()
    help: str = ""
    per_layer: str | None = None


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def boolean(path: str, v: Any) -> None:
    if not isinstance(v, bool):
        raise ConfigError(f"{path} must be true or false. Received: {v!r}")


def int_range(lo: int, hi: int) -> Check:
    def check(path: str, v: Any) -> None:
        if not is_int(v) or not lo <= v <= hi:
            raise ConfigError(f"{path} must be a whole number from {lo} to {hi}. Received: {v!r}")
    return check


def units(min_len: int) -> Check:
    def check(path: str, v: Any) -> None:
        example = "[64, 32]" if min_len else "[64, 32] or []"
        ok = isinstance(v, list) and min_len <= len(v) <= MAX_LAYERS and all(
            is_int(u) and 1 <= u <= MAX_UNITS for u in v)
        if not ok:
            raise ConfigError(
                f"{path} must be a list of {min_len}-{MAX_LAYERS} layer sizes, each a whole "
                f"number from 1 to {MAX_UNITS}, e.g. {example}. Received: {v!r}")
    return check


def activation(path: str, v: Any) -> None:
    from nntui.engine.layers.activations import ACTIVATIONS

    if not isinstance(v, str) or v.lower() not in ACTIVATIONS:
        close = difflib.get_close_matches(str(v).lower(), list(ACTIVATIONS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{path} must be one of {', '.join(ACTIVATIONS)}. "
                          f"Received: {v!r}.{hint}")


def activations(path: str, v: Any) -> None:
    """One activation name, or a list of them (one per layer)."""
    if not isinstance(v, list):
        activation(path, v)
        return
    if not 1 <= len(v) <= MAX_LAYERS:
        raise ConfigError(f"{path} must be an activation name or a list of 1-{MAX_LAYERS} of "
                          f"them, one per layer. Received: {v!r}")
    for i, name in enumerate(v):
        activation(f"{path}[{i}]", name)


def padding(path: str, v: Any) -> None:
    if v not in ("valid", "same"):
        raise ConfigError(f"{path} must be 'valid' or 'same'. Received: {v!r}")


def fraction(what: str) -> Check:
    def check(path: str, v: Any) -> None:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            raise ConfigError(f"{path} must be a number from 0 to 1 ({what}). Received: {v!r}")
    return check


def heads_fit(fields: Sequence[ModelField]) -> Callable[[dict[str, Any]], None]:
    """The cross-field check of an attention model: without a ``key_dim`` each head gets
    ``embed_dim // num_heads``, which must be ≥ 1 (defaults read from ``fields``)."""
    defaults = {f.name: f.default for f in fields}

    def check(model: dict[str, Any]) -> None:
        if model.get("key_dim", defaults.get("key_dim")) is not None:
            return
        dim = model.get("embed_dim", defaults["embed_dim"])
        heads = model.get("num_heads", defaults["num_heads"])
        if heads > dim:
            raise ConfigError(f"model.num_heads must be at most model.embed_dim ({dim}) so "
                              "each head gets a key_dim of embed_dim // num_heads >= 1. "
                              f"Received: {heads}")
    return check


def slope_field() -> ModelField:
    """``leaky_relu``'s slope below zero, for the layers whose activation is
    ``leaky_relu`` (Keras's default 0.2; many course notes use 0.01)."""
    return ModelField("negative_slope", fraction("the slope of leaky_relu below 0"), 0.2,
                      "leaky slope", "float",
                      help="slope of leaky_relu for z < 0 (Keras 0.2; the notes often 0.01)")


def choice(options: tuple[str, ...]) -> Check:
    def check(path: str, v: Any) -> None:
        if v not in options:
            raise ConfigError(f"{path} must be one of {', '.join(options)}. Received: {v!r}")
    return check


def layer_tables(path: str, v: Any) -> None:
    if not isinstance(v, list) or not v or not all(isinstance(d, dict) for d in v):
        raise ConfigError(f"{path} must be a non-empty list of layer tables, e.g. "
                          f"[{{ type = 'Dense', units = 8 }}]. Received: {v!r}"[:300])
    for i, d in enumerate(v):
        if not isinstance(d.get("type"), str):
            raise ConfigError(f"{path}[{i}] must have a 'type', e.g. {{ type = 'Dense', "
                              f"units = 8 }}. Received: {d!r}"[:300])


def activation_field(default: str = "relu", label: str = "activation",
                     per_layer: str | None = None) -> ModelField:
    """The hidden layers' activation; with ``per_layer`` (a units field's name) also a
    list of one activation per layer of that field."""
    from nntui.engine.layers.activations import ACTIVATIONS

    what = "one for all hidden layers or one per layer" if per_layer else "the hidden layers'"
    return ModelField("activation", activations if per_layer else activation, default, label,
                      "choice", tuple(ACTIVATIONS), f"activation function: {what}",
                      per_layer=per_layer)


def per_layer_values(value: Any, layers: int) -> list[Any]:
    """A per-layer field's value as one entry per layer (a single value repeated)."""
    return list(value) if isinstance(value, list) else [value] * layers


def layers_field() -> ModelField:
    return ModelField("layers", layer_tables, None, None, "table",
                      help="the whole model as layer tables (replaces the short form)")


def check_model(architecture: str, fields: Sequence[ModelField], model: dict[str, Any]) -> None:
    """Validate ``model`` (a ``[model]`` table) against ``fields``.

    Raises:
        ConfigError: an unknown key (with the closest allowed one) or a bad value.
    """
    by_name = {f.name: f for f in fields}
    for key, value in model.items():
        field = by_name.get(key)
        if field is None:
            allowed = ", ".join(by_name) or "none (leave [model] empty)"
            close = difflib.get_close_matches(str(key), list(by_name), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"model.{key} is not a setting of the {architecture} architecture; "
                              f"its settings: {allowed}.{hint}")
        field.check(f"model.{key}", value)
    for field in fields:
        value = model.get(field.name)
        if field.per_layer is None or not isinstance(value, list):
            continue
        units = model.get(field.per_layer, by_name[field.per_layer].default) or []
        if len(value) != len(units):
            raise ConfigError(
                f"model.{field.name} lists {len(value)} values but model.{field.per_layer} has "
                f"{len(units)} layers: give one value for all of them, or one per layer. "
                f"Received: {value!r}")
