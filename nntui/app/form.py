"""The launcher's form as plain data: which fields an architecture has, and spec dict
<-> field strings.

:func:`launcher_fields` lists the fields of one architecture from the registry: the
dataset (and its data folder when it downloads), the architecture's own labelled
``[model]`` fields, the ``[train]`` keys it reads, and the app's pace. Nothing here
knows a particular architecture. :func:`form_values` fills the fields from a preset's
``spec.to_dict()``; :func:`apply_form` writes them back into a copy of that dict
(raising :class:`FieldError` for a field that cannot be parsed); the caller validates
the dict with ``spec_from_dict`` and maps its ``ConfigError`` to a field with
:func:`field_for_error`. Ranges live in one place, the architectures and presets.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from nntui.app.pace import PACE_CHOICES, parse_pace
from nntui.architectures import Architecture
from nntui.errors import ConfigError

DATASET, DATA_DIR, PACE = "dataset", "dataset.data_dir", "pace"
TRAIN_FIELDS: dict[str, tuple[str, str, str]] = {
    "optimizer": ("optimizer", "choice", "how the weights follow the gradient"),
    "learning_rate": ("learning rate", "float", "the step size η of each update"),
    "momentum": ("momentum", "float", "SGD only: the share of the last update kept"),
    "batch_size": ("batch size", "int", "samples per step"),
    "epochs": ("epochs", "int", "passes over the training data"),
    "l1": ("L1", "float", "penalty on the weights' absolute values (sparse weights)"),
    "l2": ("L2", "float", "penalty on the squared weights (weight decay)"),
    "dropout": ("dropout", "float", "share of hidden units dropped at each step"),
    "clipnorm": ("clipnorm", "float", "clip the gradients' global norm to this (0: off); "
                 "tames exploding gradients"),
    "seed": ("seed", "int", "the random seed: the same seed, the same run"),
    "backend": ("backend", "choice", "where the numbers are computed"),
}
"""The ``[train]`` keys the launcher edits (label, kind, help), in form order; an
architecture gets those it reads (``Architecture.train_fields``)."""
PER_LAYER_TRAIN = ("train.l1", "train.l2", "train.dropout")
"""``[train]`` keys the short model form applies to every hidden layer; a model given as
layer tables sets them per layer instead."""
MAX_DIGITS = 12  # a longer number is no size or count anyone means (and int() refuses 4300)


@dataclass(frozen=True)
class FormSpec:
    """One field of the launcher.

    Attributes:
        key: ``"dataset"``, ``"dataset.data_dir"``, ``"model.<name>"``, ``"train.<name>"``
            or ``"pace"``.
        label: what the launcher calls it.
        kind: ``"choice"``, ``"units"``, ``"int"``, ``"float"``, ``"text"`` or
            ``"per_layer"`` (a choice per layer of the units field ``follows``).
        choices: the values of a choice.
        help: one line for its tooltip.
        follows: the units field a per-layer field follows.
        default: the text of the value used when a config leaves the key out.
    """

    key: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    help: str = ""
    follows: str | None = None
    default: str = ""

    @property
    def widget_id(self) -> str:
        return self.key.replace(".", "-").replace("_", "-")


class FieldError(ConfigError):
    """A form field cannot be parsed; ``field`` names its key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _train_choices(name: str) -> tuple[str, ...]:
    from nntui.engine.backend import BACKENDS
    from nntui.engine.optimizers import OPTIMIZERS

    return {"optimizer": tuple(OPTIMIZERS), "backend": tuple(BACKENDS)}.get(name, ())


def launcher_fields(arch: Architecture, downloads: bool = False) -> list[FormSpec]:
    """The fields of ``arch``'s form (``downloads``: its dataset may download, so it gets
    a data folder)."""
    fields = [FormSpec(DATASET, "dataset", "choice", help="the data it learns from")]
    if downloads:
        fields.append(FormSpec(DATA_DIR, "data folder", "text",
                               help="a folder holding the dataset's files (empty: the cache, "
                                    "downloaded on first use)"))
    for f in arch.fields:
        if f.label is None or f.kind == "table":
            continue
        kind = "per_layer" if f.per_layer else f.kind
        follows = f"model.{f.per_layer}" if f.per_layer else None
        fields.append(FormSpec(f"model.{f.name}", f.label, kind, f.choices, f.help, follows,
                               _text(f.default)))
    for name, (label, kind, what) in TRAIN_FIELDS.items():
        if name in arch.train_fields:
            fields.append(FormSpec(f"train.{name}", label, kind, _train_choices(name), what))
    fields.append(FormSpec(PACE, "pace", "choice", PACE_CHOICES,
                           "steps a second on screen: auto slows small runs to watch them, "
                           "full is as fast as it goes"))
    return fields


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def form_values(d: dict[str, Any], arch: Architecture) -> dict[str, str]:
    """The field strings for config dict ``d`` (a ``RunSpec.to_dict()``)."""
    dataset, model, train = d.get("dataset", {}), d.get("model", {}), d.get("train", {})
    values = {DATASET: str(dataset.get("name", "")), DATA_DIR: _text(dataset.get("data_dir")),
              PACE: "auto"}
    for f in arch.fields:
        values[f"model.{f.name}"] = _text(model.get(f.name, f.default))
    for name in TRAIN_FIELDS:
        values[f"train.{name}"] = _text(train.get(name))
    return values


def parse_units(key: str, text: str) -> list[int]:
    """``"64, 32"`` -> ``[64, 32]``; ``""`` -> ``[]``.

    Raises:
        FieldError: not a comma-separated list of whole numbers.
    """
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    if not all(re.fullmatch(r"\d+", p, re.ASCII) for p in parts):
        raise FieldError(key, f"{key} must be whole numbers separated by commas, e.g. 64,32. "
                              f"Received: {_quote(text)}")
    if any(len(p) > MAX_DIGITS for p in parts):
        raise FieldError(key, f"{key} must be layer sizes of at most {MAX_DIGITS} digits. "
                              f"Received: {_quote(text)}")
    return [int(p) for p in parts]


def _quote(text: str, limit: int = 40) -> str:
    """``repr(text)``, shortened: a pasted 10,000-digit value must not fill the screen."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} chars)"


# ASCII digits only (re.ASCII): Python's int() and float() also take "٣", "1_000" and
# "nan", which the message below does not promise
_NUMBER = {"int": re.compile(r"[+-]?\d+", re.ASCII),
           "float": re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)}


def _number(key: str, kind: str, text: str) -> int | float:
    what = "a whole number" if kind == "int" else "a number"
    digits = text.lstrip("+-").split("e")[0].replace(".", "")
    try:
        if len(digits) > MAX_DIGITS or not _NUMBER[kind].fullmatch(text):
            raise ValueError
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise FieldError(key, f"{key} must be {what} of at most {MAX_DIGITS} digits. "
                              f"Received: {_quote(text)}") from None


def _parse(spec: FormSpec, text: str) -> Any:
    """The config value of ``text`` in field ``spec`` (None: leave the key out)."""
    text = text.strip()
    if spec.kind == "units":
        return parse_units(spec.key, text)
    if not text:
        return None
    if spec.kind in ("int", "float"):
        return _number(spec.key, spec.kind, text)
    if spec.kind == "per_layer":
        names = [n.strip() for n in text.split(",")]
        return names[0] if len(set(names)) == 1 else names
    return text


def apply_form(base: dict[str, Any], values: dict[str, str], fields: list[FormSpec]
               ) -> dict[str, Any]:
    """A copy of config dict ``base`` with the ``values`` of ``fields`` written in; model
    fields only where they changed (a preset's defaults stay implicit).

    Raises:
        FieldError: a field cannot be parsed (the first one, in form order).
    """
    d = copy.deepcopy(base)
    shown = {f.key: f for f in fields}
    dataset = d.setdefault("dataset", {})
    name = values.get(DATASET, "")
    if name and dataset.get("name") != name:
        d["dataset"] = dataset = {"name": name}  # another dataset's options don't carry
    if DATA_DIR in shown:
        folder = values.get(DATA_DIR, "").strip()
        if folder:
            dataset["data_dir"] = folder
        else:
            dataset.pop("data_dir", None)
    model, train = d.setdefault("model", {}), d.setdefault("train", {})
    for f in fields:
        section, _, key = f.key.partition(".")
        if section not in ("model", "train") or f.key not in values:
            continue
        value = _parse(f, values[f.key])
        if section == "model":
            if "layers" in model:
                continue  # the whole model as layer tables: the short fields do not apply
            if key in model or value != _parse(f, f.default):  # defaults stay implicit
                _put(model, key, value)
        else:
            _put(train, key, value)
    return d


def _put(table: dict[str, Any], key: str, value: object) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def pace_of(values: dict[str, str]) -> float | None:
    """The pace field's steps a second (None: auto; 0: full speed).

    Raises:
        FieldError: not auto, full or a number in range.
    """
    try:
        return parse_pace(values.get(PACE, "auto"))
    except ConfigError as exc:
        raise FieldError(PACE, str(exc)) from None


def field_for_error(message: str, keys: list[str]) -> str | None:
    """The field (of ``keys``) a ``spec_from_dict`` error is about, None when none is:
    ``train.<name>`` and ``model.<name>`` their field, ``dataset.data_dir`` the data
    folder, other ``dataset`` errors the dataset."""
    m = re.match(r"^(train|dataset|model)\.?([a-z_]*)", message)
    if m is None:
        return None
    section, key = m.groups()
    if section == "dataset":
        return DATA_DIR if key == "data_dir" and DATA_DIR in keys else DATASET
    found = f"{section}.{key}"
    return found if found in keys else None
