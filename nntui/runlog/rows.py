"""Events <-> flat metric rows, the shared shape of ``metrics.csv`` and ``metrics.jsonl``.

A row is a flat dict: the fixed fields of :data:`BASE_COLUMNS`, then one key per
metric (``loss``, ``accuracy``, ``val_loss``, ...). Step rows carry every field;
epoch rows have no ``batch`` or ``samples_per_second`` and carry the learning rate
in force at the end of the epoch. The JSONL log also gets ``finished``, ``failed``
and ``diverged`` rows, so a replay knows when a run ended.

A metric whose name clashes with a fixed field (a metric called ``"step"``) is
stored as ``metric_step`` and renamed back when read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nntui.engine.events import (
    EpochCompleted,
    ModelChanged,
    StepCompleted,
    TrainingDivergedEvent,
    TrainingFailed,
    TrainingFinished,
)

Row = dict[str, Any]

BASE_COLUMNS: tuple[str, ...] = (
    "kind",
    "step",
    "epoch",
    "batch",
    "elapsed",
    "learning_rate",
    "samples_per_second",
)
INT_COLUMNS = frozenset({"step", "epoch", "batch"})
RESERVED = frozenset({*BASE_COLUMNS, "stopped_early", "message"})
_METRIC_PREFIX = "metric_"


def metric_key(name: str) -> str:
    """The row key of metric ``name`` (prefixed only when it clashes with a field)."""
    return _METRIC_PREFIX + name if name in RESERVED else name


def metric_name(key: str) -> str:
    """Inverse of :func:`metric_key`."""
    if key.startswith(_METRIC_PREFIX) and key[len(_METRIC_PREFIX) :] in RESERVED:
        return key[len(_METRIC_PREFIX) :]
    return key


def _metrics(metrics: Mapping[str, float]) -> Row:
    return {metric_key(k): float(v) for k, v in metrics.items()}


def step_row(event: StepCompleted) -> Row:
    return {
        "kind": "step",
        "step": int(event.step),
        "epoch": int(event.epoch),
        "batch": int(event.batch),
        "elapsed": float(event.elapsed),
        "learning_rate": float(event.learning_rate),
        "samples_per_second": float(event.samples_per_second),
        **_metrics(event.metrics),
    }


def epoch_row(event: EpochCompleted, learning_rate: float | None) -> Row:
    row: Row = {"kind": "epoch", "step": int(event.step), "epoch": int(event.epoch)}
    row["elapsed"] = float(event.elapsed)
    if learning_rate is not None:
        row["learning_rate"] = float(learning_rate)
    row.update(_metrics(event.metrics))
    return row


def end_row(event: TrainingFinished | TrainingFailed | TrainingDivergedEvent) -> Row:
    """The JSONL-only row that records how a run ended."""
    if isinstance(event, TrainingFinished):
        return {
            "kind": "finished",
            "step": int(event.step),
            "epoch": int(event.epoch),
            "stopped_early": bool(event.stopped_early),
            **_metrics(event.metrics),
        }
    kind = "failed" if isinstance(event, TrainingFailed) else "diverged"
    return {"kind": kind, "step": int(event.step), "message": str(event.message)}


CHANGE_FIELDS = ("action", "layer", "unit", "value", "seed", "text")


def change_row(event: ModelChanged) -> Row:
    """The JSONL-only row of a change made while the model learns (surgery, new data),
    with the step after which it took effect."""
    return {"kind": "change", "step": int(event.step), "epoch": int(event.epoch),
            **{k: getattr(event, k) for k in CHANGE_FIELDS}}


def row_change(row: Mapping[str, Any]) -> ModelChanged:
    """Inverse of :func:`change_row`.

    Raises:
        ValueError: a field has the wrong type.
    """
    types = {"action": str, "layer": str, "unit": int, "value": float, "seed": int, "text": str}
    values = {}
    for key, kind in types.items():
        value = row.get(key, kind())
        if isinstance(value, bool) or not isinstance(value, (kind, int) if kind is float else kind):
            raise ValueError(f"change row field {key!r} is not {kind.__name__}: {value!r:.60}")
        values[key] = kind(value)
    return ModelChanged(int(row["step"]), int(row.get("epoch", 0)), **values)


def json_safe(row: Row) -> Row:
    """Non-finite floats as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.

    Strict JSON has no NaN; these strings keep the log valid for every JSON reader
    and still convert back with ``float()``.
    """
    return {k: _json_float(v) if isinstance(v, float) else v for k, v in row.items()}


def _json_float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
