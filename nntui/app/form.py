"""The launcher's hyper-parameter form as plain data: spec dict <-> field strings.

:func:`form_values` fills the form from a preset's ``spec.to_dict()``;
:func:`apply_form` writes the fields back into a copy of that dict (raising
:class:`FieldError` for a field that cannot be parsed); the caller then validates
the dict with ``spec_from_dict`` and maps its ``ConfigError`` to a field with
:func:`field_for_error`. Ranges live in one place, ``nntui.presets``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from nntui.architectures import ARCHITECTURES
from nntui.errors import ConfigError

TRAIN_FIELDS: dict[str, type] = {
    "optimizer": str, "learning_rate": float, "batch_size": int, "epochs": int,
    "l1": float, "l2": float, "dropout": float, "seed": int, "backend": str,
}
"""Form fields that map one-to-one to ``train.<name>``, with their types."""

FIELDS = ("dataset", "layers", "activation", *TRAIN_FIELDS)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "linear",
               "binary_step")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
BACKENDS = ("auto", "numpy", "mlx")
_LAYERS_RE = re.compile(r"^\s*(\d+\s*(,\s*\d+\s*)*)?$")


class FieldError(ConfigError):
    """A form field cannot be parsed; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _layers(d: dict[str, Any]) -> list[dict[str, Any]]:
    layers = d.get("model", {}).get("layers", [])
    return layers if isinstance(layers, list) else []


def hidden_indices(layers: list[dict[str, Any]]) -> list[int]:
    """Indices of the sized layers before the output layer (the ones "64,32" sets)."""
    return [i for i, layer in enumerate(layers[:-1])
            if isinstance(layer, dict) and "units" in layer]


def units_key(architecture: str) -> str | None:
    """The ``[model]`` key the "layers" field edits for ``architecture`` (None: none)."""
    arch = ARCHITECTURES.get(architecture)
    return None if arch is None else arch.units_field


def has_activation(architecture: str) -> bool:
    """Whether ``architecture`` has a ``model.activation`` setting."""
    arch = ARCHITECTURES.get(architecture)
    return arch is not None and any(f.name == "activation" for f in arch.fields)


def _units_key(d: dict[str, Any]) -> str | None:
    return units_key(str(d.get("architecture", "")))


def form_values(d: dict[str, Any]) -> dict[str, str]:
    """The form's field strings for config dict ``d`` (a ``RunSpec.to_dict()``)."""
    model = d.get("model", {})
    if "layers" in model:  # the full form: a list of layer tables
        layers = _layers(d)
        hidden = [layers[i] for i in hidden_indices(layers)]
        units = [layer["units"] for layer in hidden]
        act = next((h["activation"] for h in hidden if "activation" in h), "")
    else:  # the short form: hidden = [64, 64], activation = "relu"
        key = _units_key(d)
        units = list(model.get(key, [])) if key is not None else []
        act = model.get("activation", "") if has_activation(str(d.get("architecture"))) else ""
    train = d.get("train", {})
    values = {"dataset": str(d.get("dataset", {}).get("name", "")),
              "layers": ",".join(str(u) for u in units), "activation": str(act)}
    for name in TRAIN_FIELDS:
        values[name] = "" if train.get(name) is None else str(train[name])
    return values


def parse_units(text: str) -> list[int]:
    """``"64, 32"`` -> ``[64, 32]``; ``""`` -> ``[]``.

    Raises:
        FieldError: not a comma-separated list of positive whole numbers.
    """
    if not _LAYERS_RE.match(text):
        raise FieldError("layers", f"layers must be whole numbers separated by commas, "
                                   f"e.g. 64,32. Received: {text!r}")
    units = [int(u) for u in text.replace(" ", "").split(",") if u]
    if any(u <= 0 for u in units):
        raise FieldError("layers", f"every layer needs at least 1 unit. Received: {text!r}")
    return units


def _set_hidden(d: dict[str, Any], units: list[int], activation: str) -> None:
    layers = _layers(d)
    idx = hidden_indices(layers)
    if len(units) != len(idx):
        if not layers or any(layer.get("type") not in ("Dense", "Dropout")
                             for layer in layers[:-1]):
            raise FieldError("layers", f"this architecture has {len(idx)} sized layers; "
                                       f"give {len(idx)} numbers. Received: {len(units)}")
        new = [{"type": "Dense", "units": u, "activation": activation or "relu"} for u in units]
        d.setdefault("model", {})["layers"] = new + [layers[-1]]
        return
    for i, u in zip(idx, units, strict=False):
        layers[i]["units"] = u
        if activation and "activation" in layers[i]:
            layers[i]["activation"] = activation


def _parse(name: str, kind: type, text: str) -> Any:
    text = text.strip()
    if kind is str:
        return text
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise FieldError(name, f"{name} must be {what}. Received: {text!r}") from None


def apply_form(base: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A copy of config dict ``base`` with the form's ``values`` written in.

    Raises:
        FieldError: a field cannot be parsed (the first one, in form order).
    """
    d = copy.deepcopy(base)
    if values.get("dataset"):
        dataset = d.get("dataset", {})
        if dataset.get("name") != values["dataset"]:
            d["dataset"] = {"name": values["dataset"]}  # another dataset's options don't carry
    before = form_values(base)
    units = parse_units(values.get("layers", before["layers"]))
    activation = values.get("activation", "")
    if _layers(d):
        _set_hidden(d, units, activation)
    else:  # write only what changed, and only keys the architecture has
        model = d.setdefault("model", {})
        key = _units_key(d)
        if key is not None and values.get("layers", before["layers"]) != before["layers"]:
            model[key] = units
        arch = str(d.get("architecture", ""))
        if activation and activation != before["activation"] and has_activation(arch):
            model["activation"] = activation
    train = d.setdefault("train", {})
    for name, kind in TRAIN_FIELDS.items():
        if values.get(name, "").strip():  # empty: the default
            train[name] = _parse(name, kind, values[name])
    return d


def field_for_error(message: str) -> str | None:
    """The form field a ``spec_from_dict`` error is about (None: not a form field):
    ``train.<name>`` its field, ``dataset.<option>`` the dataset, ``model.activation``
    the activation, other ``model.<key>`` the layers."""
    m = re.match(r"^(train|dataset|model)\.?([a-z_]*)", message)
    if m is None:
        return None
    section, key = m.groups()
    if section == "train":
        return key if key in TRAIN_FIELDS else None
    if section == "dataset":
        return "dataset"
    return "activation" if key == "activation" else "layers"
