"""The ``[model]`` table of a preset, validated per architecture before anything is built.

Each architecture takes its own short-form keys (``hidden``, ``conv``, ``latent_dim``,
...); a key it does not use, or a value of the wrong type or range, raises
:class:`ConfigError` naming ``model.<key>``, the value and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from nntui.errors import ConfigError

MAX_UNITS = 4096  # per layer; a terminal lab's models are small, and this bounds memory
MAX_LAYERS = 16  # per units list
MAX_KERNEL = 32
MAX_EPOCHS = 10_000


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(lo: int, hi: int) -> Callable[[str, Any], None]:
    def check(path: str, v: Any) -> None:
        if not _is_int(v) or not lo <= v <= hi:
            raise ConfigError(f"{path} must be a whole number from {lo} to {hi}. Received: {v!r}")
    return check


def _units(min_len: int) -> Callable[[str, Any], None]:
    def check(path: str, v: Any) -> None:
        example = "[64, 32]" if min_len else "[64, 32] or []"
        ok = isinstance(v, list) and min_len <= len(v) <= MAX_LAYERS and all(
            _is_int(u) and 1 <= u <= MAX_UNITS for u in v)
        if not ok:
            raise ConfigError(
                f"{path} must be a list of {min_len}-{MAX_LAYERS} layer sizes, each a whole "
                f"number from 1 to {MAX_UNITS}, e.g. {example}. Received: {v!r}")
    return check


def _activation(path: str, v: Any) -> None:
    from nntui.engine.layers.activations import ACTIVATIONS

    if not isinstance(v, str) or v.lower() not in ACTIVATIONS:
        close = difflib.get_close_matches(str(v).lower(), list(ACTIVATIONS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{path} must be one of {', '.join(ACTIVATIONS)}. "
                          f"Received: {v!r}.{hint}")


def _padding(path: str, v: Any) -> None:
    if v not in ("valid", "same"):
        raise ConfigError(f"{path} must be 'valid' or 'same'. Received: {v!r}")


def _noise(path: str, v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
        raise ConfigError(f"{path} must be a number from 0 to 1 (the noise's std). "
                          f"Received: {v!r}")


def _layers(path: str, v: Any) -> None:
    if not isinstance(v, list) or not v or not all(isinstance(d, dict) for d in v):
        raise ConfigError(f"{path} must be a non-empty list of layer tables, e.g. "
                          f"[{{ type = 'Dense', units = 8 }}]. Received: {v!r}"[:300])
    for i, d in enumerate(v):
        if not isinstance(d.get("type"), str):
            raise ConfigError(f"{path}[{i}] must have a 'type', e.g. {{ type = 'Dense', "
                              f"units = 8 }}. Received: {d!r}"[:300])


def _pretrain_dataset(path: str, v: Any) -> None:
    if isinstance(v, str):
        v = {"name": v}
    if not isinstance(v, dict) or not isinstance(v.get("name"), str):
        raise ConfigError(f"{path} must be a table with a 'name', e.g. "
                          f"{{ name = 'shapes', labelling = 'shape' }}. Received: {v!r}")
    from nntui.data import DATASETS

    info = DATASETS.get(v["name"])
    if info is None or info.input_kind != "image":
        images = ", ".join(n for n, i in DATASETS.items() if i.input_kind == "image")
        raise ConfigError(f"{path}.name must be an image dataset ({images}); the base is a CNN. "
                          f"Received: {v['name']!r}")
    if "seed" in v:
        raise ConfigError(f"{path}.seed cannot be set; the pretraining seed is train.seed + 1")


_CNN = {"conv": _units(0), "kernel_size": _int(1, MAX_KERNEL), "padding": _padding,
        "dense": _units(0), "activation": _activation}
_RECURRENT = {"hidden": _units(1), "layers": _layers}

FIELDS: dict[str, dict[str, Callable[[str, Any], None]]] = {
    "perceptron": {},
    "mlp": {"hidden": _units(0), "activation": _activation, "layers": _layers},
    "cnn": {**_CNN, "layers": _layers},
    "rnn": _RECURRENT,
    "lstm": _RECURRENT,
    "gru": _RECURRENT,
    "gan": {"latent_dim": _int(1, MAX_UNITS), "generator": _units(0),
            "discriminator": _units(0), "activation": _activation},
    "autoencoder": {"encoder": _units(0), "latent_dim": _int(1, MAX_UNITS),
                    "activation": _activation, "noise": _noise},
    "transformer": {"embed_dim": _int(1, 1024), "num_heads": _int(1, 64), "key_dim": _int(1, 1024),
                    "ff_dim": _int(1, MAX_UNITS), "blocks": _int(1, 16)},
    "transfer": {**_CNN, "pretrain_dataset": _pretrain_dataset,
                 "pretrain_epochs": _int(0, MAX_EPOCHS)},
}
"""Per architecture: the ``[model]`` keys it reads and each key's check."""


def check_model(architecture: str, model: dict[str, Any]) -> None:
    """Validate ``model`` for ``architecture`` (a key of :data:`FIELDS`).

    Raises:
        ConfigError: an unknown key (with the closest allowed one) or a bad value.
    """
    fields = FIELDS[architecture]
    for key, value in model.items():
        check = fields.get(key)
        if check is None:
            allowed = ", ".join(fields) or "none (leave [model] empty)"
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"model.{key} is not a setting of the {architecture} architecture; "
                              f"its settings: {allowed}.{hint}")
        check(f"model.{key}", value)
    if architecture == "transformer" and "key_dim" not in model:
        dim, heads = model.get("embed_dim", 32), model.get("num_heads", 2)
        if heads > dim:
            raise ConfigError(f"model.num_heads must be at most model.embed_dim ({dim}) so each "
                              f"head gets a key_dim of embed_dim // num_heads >= 1. "
                              f"Received: {heads}")
