"""Rewinding a run's metric logs to its checkpoint before a resume appends to them.

A run killed at any instant (SIGKILL, a power cut, a second Ctrl+C) may have logged
rows after its last checkpoint: the steps since the last epoch end, an epoch row
whose checkpoint was never written, an end row. The resumed run trains those steps
again, so their old rows are cut first: the logs then hold every step once, in order.

Rows are in step order, so the cut is found from the end of the file, reading back
only as far as the checkpoint's step (a long log is not read whole).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from nntui.runlog.rundir import METRICS_CSV, METRICS_JSONL

_CHUNK = 64 * 1024


def rewind_logs(run_dir: Path, step: int) -> int:
    """Cut the rows of ``metrics.jsonl`` and ``metrics.csv`` logged after ``step``.

    Unreadable lines after the last row at or before ``step`` are cut too; a
    partial last line always is. Returns how many ``metrics.jsonl`` rows were cut.
    """
    cut = _cut_file(run_dir / METRICS_JSONL, _jsonl_step, step)
    _cut_file(run_dir / METRICS_CSV, _csv_step, step, keep_first=True)
    return cut


def _cut_file(path: Path, step_of: Callable[[bytes], int | None], step: int, *,
              keep_first: bool = False) -> int:
    """Truncate ``path`` after its last line whose step is ``<= step``; lines cut."""
    if not path.exists():
        return 0
    with open(path, "r+b") as f:
        end = f.seek(0, os.SEEK_END)
        keep, cut = 0, 0
        for start, line in _lines_backwards(f, end):
            if (keep_first and start == 0) or _kept(step_of(line), step):
                keep = start + len(line)
                break
            cut += line.endswith(b"\n")
        if keep != end:
            f.truncate(keep)
    return cut


def _kept(line_step: int | None, step: int) -> bool:
    return line_step is not None and line_step <= step


def _lines_backwards(f: IO[bytes], end: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` from the last line to the first, each with its newline (a
    last line without one, cut by a kill, comes first as it is)."""
    pos, carry = end, b""
    while pos > 0:
        start = max(0, pos - _CHUNK)
        f.seek(start)
        data = f.read(pos - start) + carry  # the bytes from `start` to the end of `carry`
        split = data.split(b"\n")
        pieces = [p + b"\n" for p in split[:-1]] + ([split[-1]] if split[-1] else [])
        # the first piece may begin before `start`: it is carried to the next read
        whole = pieces if start == 0 else pieces[1:]
        offset = start + len(data)
        for piece in reversed(whole):
            offset -= len(piece)
            yield offset, piece
        carry = b"" if start == 0 else pieces[0]
        pos = start


def _jsonl_step(line: bytes) -> int | None:
    if not line.endswith(b"\n"):
        return None
    try:
        row = json.loads(line)
    except ValueError:
        return None
    value = row.get("step") if isinstance(row, dict) else None
    return value if type(value) is int else None


def _csv_step(line: bytes) -> int | None:
    if not line.endswith(b"\n"):
        return None
    try:
        cells = next(csv.reader([line.decode("utf-8")]))
        return int(cells[1])
    except (ValueError, IndexError, StopIteration, UnicodeDecodeError):
        return None
