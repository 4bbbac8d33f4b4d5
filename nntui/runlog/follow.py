"""Following a run folder while it is written, in bounded memory, as the replay screen does.

:class:`RunReader` reads ``metrics.jsonl`` incrementally, the way ``tail -f`` would,
a bounded number of bytes at a time, so the dashboard draws its first frame after
the first chunk of a million-line log instead of after all of it. Memory stays
bounded: the rows of one chunk are turned into events and dropped, and step rows are
thinned to one in :attr:`RunReader.stride` (the dashboard's series keep a few
thousand points anyway), chosen from the file's size. Epoch rows, end rows and the
last step row of every chunk are always read, so the status line is current.

A damaged line (not JSON, not an object, a field of the wrong type) is skipped and
counted in :attr:`RunReader.skipped`; the rest of the log is still shown.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, BinaryIO

from nntui.errors import CheckpointError
from nntui.runlog.config import read_config
from nntui.runlog.files import complete_lines
from nntui.runlog.replay import ReplayEvent, parse_jsonl, read_jsonl_rows, row_to_event
from nntui.runlog.rows import Row
from nntui.runlog.rundir import CONFIG_TOML, METRICS_JSONL

CHUNK_BYTES = 4 << 20  # read per call of read_events: ~20,000 rows, a few tens of ms
MAX_POINTS = 8192  # step rows worth reading from a whole log (series keep 2048 each)
_STEP_PREFIX = b'{"kind": "step"'  # how RunLogger writes a step row (json.dumps order)


class RunReader:
    """Follows one run folder: its config and the rows of its ``metrics.jsonl``.

    Args:
        logdir: a run folder written by :class:`~nntui.runlog.RunLogger`.

    Raises:
        CheckpointError: ``logdir`` does not exist or holds no ``metrics.jsonl``.

    Example:
        >>> reader = RunReader("runs/2026-11-22_0210_mlp-spiral")  # doctest: +SKIP
        >>> events = reader.read_events()                           # doctest: +SKIP
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
        self.stride = 0  # read one step row in `stride` (0: not chosen yet)
        self._steps = 0  # step rows met so far
        self.behind = False
        """True when the last read stopped at its byte budget: more is there to read now."""
        self.skipped = 0
        """Lines skipped because they cannot be read (see :attr:`first_skipped`)."""
        self.first_skipped = ""
        """Where and why the first line was skipped (``metrics.jsonl:40: not JSON``)."""

    @property
    def config(self) -> dict[str, Any]:
        """The run's ``config.toml``; ``{}`` while the run has not written it yet."""
        if self._config is None:
            if not (self.logdir / CONFIG_TOML).exists():
                return {}
            self._config = read_config(self.logdir)
        return self._config

    def poll(self) -> list[Row]:
        """Every row appended since the last read (all rows on the first call), strictly.

        A partial last line is left for the next poll.

        Raises:
            CheckpointError: a complete line is not a JSON object, or the file shrank.
        """
        chunk = self._read(None)
        rows = parse_jsonl(chunk, self.metrics_path, first_line=self._lines + 1)
        self._advance(chunk)
        return rows

    def read_events(self, max_bytes: int = CHUNK_BYTES) -> list[ReplayEvent]:
        """The events of at most ``max_bytes`` more of the log (more when one line is
        longer), damaged lines skipped and counted, step rows thinned to one in
        :attr:`stride`.

        Raises:
            CheckpointError: the file cannot be read or shrank while followed.
        """
        chunk = self._read(max_bytes)
        if self.stride == 0:
            self.stride = self._choose_stride(chunk)
        lines = chunk.splitlines()
        last_step = max((i for i, line in enumerate(lines) if line.startswith(_STEP_PREFIX)),
                        default=-1)
        events: list[ReplayEvent] = []
        for i, line in enumerate(lines):
            if line.startswith(_STEP_PREFIX):
                self._steps += 1
                if (self._steps - 1) % self.stride and i != last_step:
                    continue
            event = self._event(line, self._lines + i + 1)
            if event is not None:
                events.append(event)
        self._advance(chunk)
        return events

    def read_all(self) -> list[Row]:
        """Every complete row in the file, from the start (does not move :meth:`poll`)."""
        return read_jsonl_rows(self.metrics_path)

    # ------------------------------------------------------------------------------
    def _read(self, max_bytes: int | None) -> bytes:
        try:
            with open(self.metrics_path, "rb") as f:
                size = f.seek(0, io.SEEK_END)
                if size < self._offset:
                    raise CheckpointError(f"{self.metrics_path} shrank from {self._offset} to "
                                          f"{size} bytes while being followed")
                f.seek(self._offset)
                data = f.read() if max_bytes is None else f.read(max_bytes)
                self.behind = max_bytes is not None and len(data) == max_bytes
                chunk = complete_lines(data)
                if not chunk and max_bytes is not None and len(data) == max_bytes:
                    chunk = self._skip_long_line(f, data)
        except OSError as exc:
            raise CheckpointError(f"cannot read {self.metrics_path}: {exc}") from exc
        return chunk

    def _skip_long_line(self, f: BinaryIO, head: bytes) -> bytes:
        """A line longer than a chunk is not one nntui writes: skip it, unread, whole."""
        skipped = len(head)
        while True:
            part = f.read(CHUNK_BYTES)
            if not part:
                return b""  # still being written: wait for its end
            end = part.find(b"\n")
            if end >= 0:
                self._skip(self._lines + 1, f"a line of more than {skipped + end} bytes")
                self._offset += skipped + end + 1
                self._lines += 1
                return b""
            skipped += len(part)

    def _advance(self, chunk: bytes) -> None:
        self._offset += len(chunk)
        self._lines += chunk.count(b"\n")

    def _choose_stride(self, chunk: bytes) -> int:
        """One step row in ``stride``: about MAX_POINTS of them over the whole file."""
        lines = chunk.count(b"\n")
        if not lines:
            return 1
        size = self.metrics_path.stat().st_size
        return max(1, round(size / (len(chunk) / lines) / MAX_POINTS))

    def _event(self, line: bytes, number: int) -> ReplayEvent | None:
        if not line.strip():
            return None
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            return row_to_event(row)
        except (ValueError, RecursionError, CheckpointError) as exc:
            self._skip(number, str(exc).split(". Received")[0])
            return None

    def _skip(self, number: int, why: str) -> None:
        self.skipped += 1
        if not self.first_skipped:
            self.first_skipped = f"{self.metrics_path.name}:{number}: {why[:120]}"
