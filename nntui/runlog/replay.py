"""Reading a run folder back: config, metric rows (followed while written), events.

``metrics.jsonl`` is the replay source: :class:`RunReader` reads it
incrementally, the way ``tail -f`` would, and :func:`rows_to_events` turns its
rows back into the trainer's events for the dashboard. Every reader here stops
at the last newline: a line without one is being written (or was cut by a kill).
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
    StepCompleted,
    TrainingDivergedEvent,
    TrainingFailed,
    TrainingFinished,
)
from nntui.errors import CheckpointError
from nntui.runlog.config import read_config
from nntui.runlog.files import complete_lines
from nntui.runlog.rows import BASE_COLUMNS, INT_COLUMNS, RESERVED, Row, metric_name
from nntui.runlog.rundir import CONFIG_TOML, METRICS_JSONL

ReplayEvent = (
    StepCompleted | EpochCompleted | TrainingFinished | TrainingFailed | TrainingDivergedEvent
)


class RunReader:
    """Follows one run folder: its config and the rows of its ``metrics.jsonl``.

    Args:
        logdir: a run folder written by :class:`~nntui.runlog.RunLogger`.

    Raises:
        CheckpointError: ``logdir`` does not exist or holds no ``metrics.jsonl``.

    Example:
        >>> reader = RunReader("runs/2026-11-22_0210_mlp-spiral")  # doctest: +SKIP
        >>> events = rows_to_events(reader.poll())                 # doctest: +SKIP
    """

    def __init__(self, logdir: str | Path) -> None:
        self.logdir = Path(logdir)
        if not self.logdir.is_dir():
            raise CheckpointError(f"run log not found: {self.logdir} is not a folder")
        self.metrics_path = self.logdir / METRICS_JSONL
        if not self.metrics_path.is_file():
            raise CheckpointError(f"no metrics in {self.logdir}: {METRICS_JSONL} is missing")
        self._config: dict[str, Any] | None = None
        self._offset = 0  # bytes of metrics.jsonl already returned
        self._lines = 0  # lines already returned, for error messages

    @property
    def config(self) -> dict[str, Any]:
        """The run's ``config.toml``; ``{}`` while the run has not written it yet."""
        if self._config is None:
            if not (self.logdir / CONFIG_TOML).exists():
                return {}
            self._config = read_config(self.logdir)
        return self._config

    def poll(self) -> list[Row]:
        """Rows appended since the last poll (all rows on the first call).

        A partial last line is left for the next poll.

        Raises:
            CheckpointError: a complete line is not a JSON object, or the file shrank.
        """
        try:
            with open(self.metrics_path, "rb") as f:
                size = f.seek(0, io.SEEK_END)
                if size < self._offset:
                    raise CheckpointError(
                        f"{self.metrics_path} shrank from {self._offset} to {size} bytes "
                        "while being followed"
                    )
                f.seek(self._offset)
                chunk = complete_lines(f.read())
        except OSError as exc:
            raise CheckpointError(f"cannot read {self.metrics_path}: {exc}") from exc
        rows = parse_jsonl(chunk, self.metrics_path, first_line=self._lines + 1)
        self._offset += len(chunk)
        self._lines += chunk.count(b"\n")
        return rows

    def read_all(self) -> list[Row]:
        """Every complete row in the file, from the start (does not move :meth:`poll`)."""
        return read_jsonl_rows(self.metrics_path)


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
        event = _row_to_event(row)
        if event is not None:
            events.append(event)
    return events


def _row_to_event(row: Mapping[str, Any]) -> ReplayEvent | None:
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
