"""Presets: ``models/*.toml`` → validated run specs (frozen dataclasses).

A preset names an architecture, a dataset, a model and training settings. Every
field is validated before anything is built; a bad value raises ConfigError
naming the field, the value and what is allowed. The ``[model]`` fields belong to
the architecture (:mod:`nntui.architectures`); the rest is checked here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nntui.architectures import Architecture, get_architecture
from nntui.architectures.bases import PresetSource, lend_presets
from nntui.architectures.spec import Expectation, RunSpec, TrainSpec
from nntui.engine.backend import BACKENDS
from nntui.engine.losses import LOSSES
from nntui.engine.optimizers import OPTIMIZERS
from nntui.errors import ConfigError
from nntui.runlog.config import TOMLDecodeError, TomlTooComplex, loads_toml


def _preset_dir() -> Path:
    """``models/`` beside the package (a checkout, an editable install), else the copy a
    wheel carries as ``nntui/_models`` (pyproject.toml maps models/ there)."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "models"
    return checkout if checkout.is_dir() else here / "_models"


PRESET_DIR = _preset_dir()


LOSS_NAMES = tuple(LOSSES)
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
LR_SCHEDULES = ("constant", "exponential", "inverse_time", "cosine")


@dataclass(frozen=True)
class PresetInfo:
    name: str
    title: str
    architecture: str
    dataset: str
    description: str
    expect: str
    path: Path


def _check_type(path: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"{path} must be {what}. Received: {value!r}")
    if not isinstance(value, kind):
        raise ConfigError(f"{path} must be {what}. Received: {value!r}")


def _train_spec(raw: dict[str, Any]) -> TrainSpec:
    known = TrainSpec.__dataclass_fields__
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"train.{key} is not a training setting.{hint}")
    t = dict(raw)
    if "metrics" in t:
        if isinstance(t["metrics"], str):
            t["metrics"] = [t["metrics"]]
        _check_type("train.metrics", t["metrics"], (list, tuple), "a list of metric names")
        for m in t["metrics"]:
            _check_type("train.metrics", m, str, "a list of metric names, e.g. ['accuracy']")
        t["metrics"] = tuple(t["metrics"])
    spec = TrainSpec(**t)
    _check_type("train.optimizer", spec.optimizer, str, f"one of {', '.join(OPTIMIZER_NAMES)}")
    if spec.optimizer.lower() not in OPTIMIZER_NAMES:
        raise ConfigError(f"train.optimizer must be one of {', '.join(OPTIMIZER_NAMES)}. "
                          f"Received: {spec.optimizer!r}")
    if spec.loss != "auto" and spec.loss not in LOSS_NAMES:
        raise ConfigError(f"train.loss must be 'auto' or one of {', '.join(LOSS_NAMES)}. "
                          f"Received: {spec.loss!r}")
    if spec.backend not in BACKENDS:
        raise ConfigError(f"train.backend must be one of {', '.join(BACKENDS)}. "
                          f"Received: {spec.backend!r}")
    if spec.lr_schedule not in LR_SCHEDULES:
        raise ConfigError(f"train.lr_schedule must be one of {', '.join(LR_SCHEDULES)}. "
                          f"Received: {spec.lr_schedule!r}")
    for name, lo, hi, incl in (("learning_rate", 0.0, 100.0, False), ("momentum", 0.0, 1.0, True),
                               ("validation_split", 0.0, 0.9, True), ("l1", 0.0, 10.0, True),
                               ("l2", 0.0, 10.0, True), ("dropout", 0.0, 0.95, True),
                               ("clipnorm", 0.0, 1e6, True), ("lr_decay_rate", 0.0, 1e6, True)):
        v = getattr(spec, name)
        _check_type(f"train.{name}", v, (int, float), "a number")
        if not (lo <= v <= hi) or (not incl and v == lo):
            op = ">=" if incl else ">"
            raise ConfigError(f"train.{name} must be {op} {lo} and <= {hi}. Received: {v!r}")
    for name, lo, hi in (("batch_size", 1, 10**6), ("epochs", 0, 10**6), ("seed", 0, 2**32 - 1),
                         ("snapshot_every", 0, 10**6), ("lr_decay_steps", 1, 10**9),
                         ("early_stopping", 0, 10**6)):
        v = getattr(spec, name)
        _check_type(f"train.{name}", v, int, "a whole number")
        if v < lo:
            raise ConfigError(f"train.{name} must be >= {lo}. Received: {v!r}")
        if v > hi:
            raise ConfigError(f"train.{name} must be <= {hi}. Received: {v!r}")
    return replace(spec, optimizer=spec.optimizer.lower(), learning_rate=float(spec.learning_rate))


def spec_from_dict(d: dict[str, Any], name: str = "custom") -> RunSpec:
    """Validate a config dict (a parsed TOML file or the launcher's form) into a RunSpec.

    Raises:
        ConfigError: the first invalid field, named with its path.
    """
    if not isinstance(d, dict):
        raise ConfigError(f"a config must be a table of settings. Received: {type(d).__name__}")
    allowed = ("name", "title", "architecture", "description", "dataset", "model", "train",
               "expect")
    for key in d:
        if key not in allowed:
            raise ConfigError(f"unknown top-level key {key!r}; "
                              f"allowed: {', '.join(sorted(allowed))}")
    arch = get_architecture(d.get("architecture"))
    for key in ("name", "title", "description"):
        if key in d:
            _check_type(key, d[key], str, "a string")
    dataset = d.get("dataset", {})
    if isinstance(dataset, str):
        dataset = {"name": dataset}
    _check_type("dataset", dataset, dict, "a table with a 'name'")
    _check_dataset(dataset)
    model = d.get("model", {})
    _check_type("model", model, dict, "a table")
    arch.check_model(model)
    train = d.get("train", {})
    _check_type("train", train, dict, "a table")
    spec = _train_spec(train)
    _check_used(arch, spec)
    return RunSpec(name=str(d.get("name", name)), title=str(d.get("title", d.get("name", name))),
                   architecture=arch.name, description=str(d.get("description", "")),
                   dataset=dict(dataset), model=dict(model), train=spec,
                   expect=_expectation(d.get("expect", {})))


def _check_used(arch: Architecture, spec: TrainSpec) -> None:
    """A [train] setting the architecture does not read must keep its default: a value
    that would be silently ignored is refused."""
    default = TrainSpec()
    for key in sorted(arch.unused_train):
        if getattr(spec, key) != getattr(default, key):
            raise ConfigError(
                f"train.{key} has no effect on the {arch.name} architecture; remove it. "
                f"It reads: {', '.join(arch.train_fields)}. Received: {getattr(spec, key)!r}")


def _check_dataset(dataset: dict[str, Any]) -> None:
    """The dataset exists and every option is one its loader takes (values: the loader's job)."""
    from nntui.data import DATASETS, options

    name = dataset.get("name")
    if not isinstance(name, str):
        raise ConfigError("dataset.name is required, e.g. dataset = { name = 'spiral' }")
    if name not in DATASETS:
        close = difflib.get_close_matches(name, list(DATASETS), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(f"dataset.name must be one of {', '.join(DATASETS)}. "
                          f"Received: {name!r}.{hint}")
    accepted = ["seed", "n_samples", *options(name)]
    if DATASETS[name].needs_download:
        accepted.append("data_dir")
    for key in dataset:
        if key != "name" and key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"dataset.{key} is not an option of dataset {name!r}; its options: "
                              f"{', '.join(accepted)}.{hint}")
    for key in ("path", "data_dir"):
        if key in dataset:
            _check_type(f"dataset.{key}", dataset[key], str, "a file or folder path (a string)")


def _expectation(exp: Any) -> Expectation:
    _check_type("expect", exp, dict, "a table")
    for key, value in exp.items():
        if key not in Expectation.__dataclass_fields__:
            raise ConfigError(f"expect.{key} is not allowed; allowed: metric, min, max, text")
        if key in ("metric", "text"):
            _check_type(f"expect.{key}", value, str, "a string")
        else:
            _check_type(f"expect.{key}", value, (int, float), "a number")
    return Expectation(**exp)


def preset_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PRESET_DIR.glob("*.toml"))}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; errors name the file, the line and the column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not a UTF-8 text file") from None
    try:
        return loads_toml(text)
    except TomlTooComplex as e:
        raise ConfigError(f"config {path} cannot be read: {e}") from None
    except TOMLDecodeError as e:
        raise ConfigError(f"malformed TOML in {path}: {e}") from None


def load_preset(name_or_path: str, overrides: list[str] | tuple[str, ...] = ()) -> RunSpec:
    """Load a preset by name (``mlp-spiral``) or a TOML path, then apply ``key=value`` overrides.

    Raises:
        ConfigError: unknown preset (with the closest names), malformed TOML, bad field.
    """
    path = Path(name_or_path)
    presets = preset_paths()
    if name_or_path in presets:
        path = presets[name_or_path]
    elif not (path.suffix == ".toml" and path.exists()) and not path.is_file():
        close = difflib.get_close_matches(name_or_path, list(presets), n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `nntui list`."
        raise ConfigError(f"no preset or config file named {name_or_path!r}.{hint}")
    data = read_toml(path)
    for item in overrides:
        apply_override(data, item)
    return spec_from_dict(data, name=path.stem)


def apply_override(data: dict[str, Any], item: str) -> None:
    """Apply ``train.epochs=5`` (TOML value syntax; bare words are strings) in place."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects key=value, e.g. train.epochs=5. Received: {item!r}")
    try:
        value = loads_toml(f"v = {raw.strip()}")["v"]
    except TomlTooComplex as e:
        raise ConfigError(f"--set {key.strip()}: the value cannot be read: {e}. "
                          f"Received: {raw.strip()[:40]!r}...") from None
    except TOMLDecodeError:
        value = raw.strip()
    parts = key.strip().split(".")
    if len(parts) == 1 and parts[0] in TrainSpec.__dataclass_fields__:
        parts = ["train"] + parts  # `--set epochs=5` is a training setting
    node = data
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {key}: {p!r} is not a table")
    node[parts[-1]] = value


def list_presets() -> list[PresetInfo]:
    out = []
    for name, path in preset_paths().items():
        d = read_toml(path)
        exp = d.get("expect", {})
        out.append(PresetInfo(name, str(d.get("title", name)), str(d.get("architecture", "?")),
                              str(d.get("dataset", {}).get("name", "?")),
                              str(d.get("description", "")), str(exp.get("text", "")), path))
    return out


def _architectures() -> dict[str, str]:
    return {name: str(read_toml(path).get("architecture", "?"))
            for name, path in preset_paths().items()}


lend_presets(PresetSource(_architectures, load_preset))  # a transfer model's base

__all__ = ["Expectation", "PresetInfo", "RunSpec", "TrainSpec", "apply_override",
           "list_presets", "load_preset", "read_toml", "spec_from_dict"]
