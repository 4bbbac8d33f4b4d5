"""Append-only metric logs: ``metrics.csv`` and ``metrics.jsonl``.

Both keep one open file for the whole run and write each row with a single
``write`` followed by ``flush``, so a killed run keeps every row it logged except
at most a cut last line, which readers ignore. ``sync()`` adds an ``fsync``
(called at epoch ends and on close). Opening an existing log (a resumed run)
first cuts any partial last line, so appended rows start on a fresh line.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from nntui.errors import CheckpointError
from nntui.runlog.files import atomic_write, complete_lines, truncate_partial_line
from nntui.runlog.rows import BASE_COLUMNS, Row, json_safe


class _AppendLog:
    """An append-mode text file with per-row flush and on-demand fsync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists():
            truncate_partial_line(path)
        self._file: IO[str] = self._open()

    def _open(self) -> IO[str]:
        # O_NOFOLLOW: a link planted after the folder was checked is refused, not followed
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
            return open(fd, "a", encoding="utf-8", newline="")
        except OSError as exc:
            raise CheckpointError(f"cannot open metrics log {self.path}: "
                                  f"{exc.strerror or exc}") from None

    def _append(self, text: str) -> None:
        self._file.write(text)
        self._file.flush()

    def sync(self) -> None:
        """Flush and fsync, so the rows survive a power cut too."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Sync and close; the file is closed even when the sync fails (then raised)."""
        if not self._file.closed:
            try:
                self.sync()
            finally:
                try:
                    self._file.close()
                except OSError:
                    pass  # the sync's error (or a closed file's flush) is the one to report


class JsonlLog(_AppendLog):
    """``metrics.jsonl``: one JSON object per line, keys free-form."""

    def write(self, row: Row) -> None:
        self._append(json.dumps(json_safe(row), allow_nan=False) + "\n")


class CsvLog(_AppendLog):
    """``metrics.csv``: :data:`BASE_COLUMNS`, then one column per metric.

    Columns are the fixed fields, then ``metric_names`` declared up front, then
    any metric as it first appears (``val_loss`` at the first epoch end). A new
    column rewrites the file once, atomically, with the wider header and the old
    rows padded with empty cells; rows are appended as usual afterwards. Declaring
    the metric names up front avoids even that one rewrite.

    Args:
        path: the CSV file; an existing one is appended to, its header kept.
        metric_names: metric columns to declare now, in order.
    """

    def __init__(self, path: Path, metric_names: Iterable[str] = ()) -> None:
        existing = _read_header(path)
        self.columns: list[str] = list(existing or BASE_COLUMNS)
        self._known = set(self.columns)
        super().__init__(path)
        if not existing:
            self._append(_csv_line(self.columns))
        missing = [m for m in dict.fromkeys(metric_names) if m not in self._known]
        if missing:
            self._widen(missing)

    def write(self, row: Row) -> None:
        new = [k for k in row if k not in self._known]
        if new:
            self._widen(new)
        self._append(_csv_line(["" if row.get(c) is None else row[c] for c in self.columns]))

    def _widen(self, new_columns: list[str]) -> None:
        """Rewrite the file with ``new_columns`` added to the header (atomic)."""
        self._file.close()
        data = complete_lines(self.path.read_bytes()).decode("utf-8")
        rows = list(csv.reader(io.StringIO(data, newline="")))
        pad = [""] * len(new_columns)
        self.columns.extend(new_columns)
        self._known.update(new_columns)
        body = [_csv_line(self.columns)] + [_csv_line([*r, *pad]) for r in rows[1:]]
        atomic_write(self.path, lambda f: f.write("".join(body).encode("utf-8")))
        self._file = self._open()


def _csv_line(cells: Sequence[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()


def _read_header(path: Path) -> list[str] | None:
    """The header of an existing, non-empty CSV log, or None."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"cannot read metrics log {path}: {exc}") from exc
    if not first.endswith("\n"):
        return None  # only a cut header: truncate_partial_line empties the file
    header = next(csv.reader([first]))
    if tuple(header[: len(BASE_COLUMNS)]) != BASE_COLUMNS:
        raise CheckpointError(f"{path} is not an nntui metrics log (header {header[:3]}...)")
    return header
