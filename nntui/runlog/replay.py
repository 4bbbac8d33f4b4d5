"""Reading a run folder's metric files back: rows, and rows turned into events.

``metrics.jsonl`` is the replay source: :class:`~nntui.runlog.follow.RunReader`
follows it while it is written, and :func:`rows_to_events` turns its rows back into
the trainer's events for the dashboard. Every reader here stops at the last
newline: a line without one is being written (or was cut by a kill).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nntui.engine.events import (
    EpochCompleted,
    ModelChanged,
    StepCompleted,
    TrainingDivergedEvent,
    TrainingFailed,
    TrainingFinished,
)
from nntui.errors import CheckpointError
from nntui.runlog.files import complete_lines
from nntui.runlog.gradient_watch import GradientsChecked, gradients_event
from nntui.runlog.rows import BASE_COLUMNS, INT_COLUMNS, RESERVED, Row, metric_name, row_change

ReplayEvent = (
    StepCompleted | EpochCompleted | TrainingFinished | TrainingFailed | TrainingDivergedEvent
    | ModelChanged | GradientsChecked
)


def read_jsonl_rows(path: str | Path) -> list[Row]:
    """The complete rows of a ``metrics.jsonl`` file.

    Raises:
        CheckpointError: the file cannot be read or a complete line is not a JSON object.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read metrics log {path}: {exc}") from exc
    return parse_jsonl(complete_lines(data), path)


def parse_jsonl(data: bytes, path: Path, first_line: int = 1) -> list[Row]:
    """Parse newline-terminated JSON lines; blank lines are skipped."""
    rows: list[Row] = []
    for number, line in enumerate(data.splitlines(), start=first_line):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
            raise CheckpointError(f"{path}:{number} is not valid JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise CheckpointError(f"{path}:{number} is not a JSON object: {line[:80]!r}")
        rows.append(row)
    return rows


def read_csv_rows(path: str | Path) -> list[Row]:
    """The complete rows of a ``metrics.csv``, typed: ints for step/epoch/batch,
    floats for the rest; empty cells are left out of the row.

    Raises:
        CheckpointError: the file cannot be read or is not an nntui metrics CSV.
    """
    path = Path(path)
    try:
        text = complete_lines(path.read_bytes()).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"cannot read metrics log {path}: {exc}") from exc
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return []
    header = records[0]
    if tuple(header[: len(BASE_COLUMNS)]) != BASE_COLUMNS:
        raise CheckpointError(f"{path} is not an nntui metrics CSV (header {header[:3]})")
    return [_typed_csv_row(header, r, path, n) for n, r in enumerate(records[1:], start=2)]


def _typed_csv_row(header: list[str], record: list[str], path: Path, number: int) -> Row:
    if len(record) != len(header):
        raise CheckpointError(f"{path}:{number} has {len(record)} cells, expected {len(header)}")
    row: Row = {}
    for key, cell in zip(header, record, strict=True):
        if cell == "" or key == "kind":
            row[key] = cell if key == "kind" else None
            continue
        try:
            row[key] = int(cell) if key in INT_COLUMNS else float(cell)
        except ValueError as exc:
            raise CheckpointError(f"{path}:{number} column {key!r}: {exc}") from exc
    return {k: v for k, v in row.items() if v is not None}


def rows_to_events(rows: Iterable[Mapping[str, Any]]) -> list[ReplayEvent]:
    """Turn metric rows (from :class:`RunReader` or :func:`read_csv_rows`) back into events.

    ``step`` rows become :class:`StepCompleted`, ``epoch`` rows
    :class:`EpochCompleted`, ``finished``/``failed``/``diverged`` rows the matching
    end events; rows of other kinds are skipped (newer logs may add kinds).

    Raises:
        CheckpointError: a row lacks a field its kind needs, or holds a bad value.
    """
    events: list[ReplayEvent] = []
    for row in rows:
        event = row_to_event(row)
        if event is not None:
            events.append(event)
    return events


def row_to_event(row: Mapping[str, Any]) -> ReplayEvent | None:
    kind = row.get("kind")
    if kind == "step":
        return StepCompleted(
            step=_int(row, "step"),
            epoch=_int(row, "epoch"),
            batch=_int(row, "batch"),
            metrics=_row_metrics(row),
            learning_rate=_float(row, "learning_rate"),
            samples_per_second=_float(row, "samples_per_second"),
            elapsed=_float(row, "elapsed"),
        )
    if kind == "epoch":
        return EpochCompleted(
            epoch=_int(row, "epoch"),
            step=_int(row, "step"),
            metrics=_row_metrics(row),
            elapsed=_float(row, "elapsed"),
        )
    if kind == "finished":
        return TrainingFinished(
            step=_int(row, "step"),
            epoch=_int(row, "epoch"),
            metrics=_row_metrics(row),
            stopped_early=bool(row.get("stopped_early", False)),
        )
    if kind == "change":  # a change made while it learned (surgery, redrawn data)
        try:
            return row_change({**row, "step": _int(row, "step")})
        except ValueError as exc:
            raise CheckpointError(f"metrics row: {exc}") from None
    if kind == "gradients":
        return gradients_event(dict(row))
    if kind in ("failed", "diverged"):
        cls = TrainingFailed if kind == "failed" else TrainingDivergedEvent
        return cls(step=_int(row, "step"), message=str(row.get("message", "")))
    return None


def _row_metrics(row: Mapping[str, Any]) -> dict[str, float]:
    return {
        metric_name(k): _to_float(v, k)
        for k, v in row.items()
        if k not in RESERVED and v is not None
    }


def _int(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CheckpointError(f"metrics row needs an integer {key!r}. Received: {dict(row)!r:.200}")
    if isinstance(value, float) and not value.is_integer():
        raise CheckpointError(f"metrics row needs an integer {key!r}. Received: {key}={value!r}")
    return int(value)


def _float(row: Mapping[str, Any], key: str) -> float:
    if key not in row:
        raise CheckpointError(f"metrics row lacks {key!r}. Received: {dict(row)!r:.200}")
    return _to_float(row[key], key)


def _to_float(value: Any, key: str) -> float:
    # Non-finite values are logged as "NaN" / "Infinity" strings (strict JSON).
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CheckpointError(f"metrics row value {key!r} is not a number. Received: {value!r:.80}")
    try:
        return float(value)
    except (ValueError, OverflowError) as exc:
        raise CheckpointError(
            f"metrics row value {key!r} is not a number. Received: {value!r:.80}"
        ) from exc
