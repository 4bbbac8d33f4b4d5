"""A folder of files kept along a run, under a size budget, thinned evenly: the machinery
behind ``snapshots/`` and ``checkpoints/``.

Each kept file is written whole under a temporary name and renamed into place; only
then is its line appended to the folder's ``index.jsonl``::

    {"step": 120, "epoch": 3, "file": "000000120.000004.npz", "bytes": 51234, ...}

When the files pass the budget, every other one is dropped (the newest always kept),
so what is left still covers the whole run evenly, and from then on only every
``stride``-th new file is written (as :class:`~nntui.app.history.BoundedSeries` thins
its points). A drop is a line too, written before the files are removed::

    {"drop": ["000000020.000001.npz", "000000060.000003.npz"]}

So the index is only ever appended to, and a reader that follows it (on this machine
or through a synced or shared folder, where lines and files may arrive in any order)
never sees half a file: it takes an entry once its file is there with the size the
index says (:class:`KeptIndex`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nntui.errors import CheckpointError
from nntui.runlog.files import atomic_write, complete_lines, fsync_dir, truncate_partial_line
from nntui.runlog.rundir import KEPT_INDEX as INDEX

PATIENCE = 30.0
"""Seconds a reader waits for a file its index names before it goes on without it
(a synced folder may deliver the line before the file, or lose the file)."""


@dataclass
class Entry:
    """One kept file: the step it is of, its name and size, and what else its line says."""

    step: int
    epoch: int
    file: str
    bytes: int
    info: dict[str, Any] = field(default_factory=dict)


def _entry(row: dict[str, Any]) -> Entry | None:
    step, epoch, name, size = (row.get(k) for k in ("step", "epoch", "file", "bytes"))
    if not (type(step) is int and type(epoch) is int and type(size) is int
            and isinstance(name, str) and _plain_name(name)):
        return None
    info = {k: v for k, v in row.items() if k not in ("step", "epoch", "file", "bytes")}
    return Entry(step, epoch, name, size, info)


def _plain_name(name: str) -> bool:
    """A file name inside the folder (an index line must not point outside it)."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..") \
        and not name.startswith(".")


class KeptFiles:
    """The writer's side: write, index, thin.

    Args:
        folder: ``run_dir/snapshots`` or ``run_dir/checkpoints`` (created).
        budget: bytes the kept files may take together (0: no limit).
        resume_step: a resumed run: files of steps after it are dropped first (they were
            written by the interrupted session after its last checkpoint).
    """

    def __init__(self, folder: Path, budget: int, resume_step: int | None = None) -> None:
        self.folder, self.budget = folder, budget
        try:
            folder.mkdir(exist_ok=True)
            index = folder / INDEX
            self.kept: list[Entry] = []
            if index.exists():
                truncate_partial_line(index)
                self.kept = list(_read_entries(index))
            self._index: IO[str] = open(index, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CheckpointError(f"cannot open {folder}: {exc.strerror or exc}") from None
        self.stride = max((e.info.get("stride", 1) for e in self.kept), default=1)
        self.offered = 0  # files offered (each stride-th is written)
        self.seq = max((e.info.get("seq", 0) for e in self.kept), default=0)
        if resume_step is not None:
            self.drop([e for e in self.kept if e.step > resume_step])

    @property
    def total(self) -> int:
        return sum(e.bytes for e in self.kept)

    def wanted(self, force: bool = False) -> bool:
        """Whether the next file offered is one to write (every ``stride``-th; ``force``:
        always, e.g. the fresh snapshot where training stopped)."""
        self.offered += 1
        return force or (self.offered - 1) % self.stride == 0

    def add(self, step: int, epoch: int, write: Callable[[IO[bytes]], object],
            suffix: str = ".npz", **info: Any) -> Entry:
        """Write a file through ``write(f)``, index it, then thin to the budget.

        Raises:
            OSError: the file or the index cannot be written (nothing is indexed).
        """
        self.seq += 1
        name = f"{step:09d}.{self.seq:06d}{suffix}"
        path = self.folder / name
        atomic_write(path, write)
        entry = Entry(step, epoch, name, path.stat().st_size,
                      {**info, "seq": self.seq, "stride": self.stride})
        self._append({"step": step, "epoch": epoch, "file": name, "bytes": entry.bytes,
                      **entry.info})
        self.kept.append(entry)
        self.thin()
        return entry

    def thin(self) -> None:
        """Over the budget: drop every other file but the newest, double the stride."""
        while self.budget and self.total > self.budget and len(self.kept) > 2:
            self.drop(self.kept[:-1][1::2])
            self.stride *= 2

    def drop(self, entries: list[Entry]) -> None:
        """Say the files are gone (an index line), then remove them."""
        if not entries:
            return
        self._append({"drop": [e.file for e in entries]})
        gone = {e.file for e in entries}
        self.kept = [e for e in self.kept if e.file not in gone]
        for name in gone:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()

    def _append(self, row: dict[str, Any]) -> None:
        self._index.write(json.dumps(row, allow_nan=False) + "\n")
        self._index.flush()

    def sync(self) -> None:
        os.fsync(self._index.fileno())
        fsync_dir(self.folder)

    def close(self) -> None:
        if not self._index.closed:
            try:
                self._index.flush()
                os.fsync(self._index.fileno())
            finally:
                self._index.close()


def _read_entries(index: Path) -> Iterator[Entry]:
    """The entries an index file keeps now (drops applied), in the order written."""
    kept: dict[str, Entry] = {}
    for row in _rows(complete_lines(index.read_bytes())):
        _apply(kept, row)
    yield from kept.values()


def _rows(data: bytes) -> Iterator[dict[str, Any]]:
    for line in data.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a damaged line: the entry it named is not read
        if isinstance(row, dict):
            yield row


def _apply(kept: dict[str, Entry], row: dict[str, Any]) -> None:
    drop = row.get("drop")
    if isinstance(drop, list):
        for name in drop:
            if isinstance(name, str):
                kept.pop(name, None)
        return
    entry = _entry(row)
    if entry is not None:
        kept[entry.file] = entry


class KeptIndex:
    """The reader's side: follows a kept-files folder, local or synced from elsewhere.

    :meth:`poll` reads the index lines appended since the last call (complete lines
    only) and returns the new entries whose files are complete, in the order written.
    An entry whose file is not there yet (or not whole) holds back the ones after it
    for up to :data:`PATIENCE` seconds; a dropped entry simply disappears.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[str, Entry] = {}
        """Every entry seen and not dropped, ready or not, in the order written."""
        self.ready: dict[str, Entry] = {}
        """The entries returned so far by :meth:`poll` and not dropped since."""
        self._offset = 0
        self._waiting_since: dict[str, float] = {}
        self.skipped = 0

    def poll(self, now: float | None = None) -> list[Entry]:
        """The entries that became readable since the last call."""
        index = self.folder / INDEX
        try:
            with open(index, "rb") as f:
                f.seek(self._offset)
                data = complete_lines(f.read())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise CheckpointError(f"cannot read {index}: {exc.strerror or exc}") from None
        self._offset += len(data)
        for row in _rows(data):
            _apply(self.entries, row)
        self.ready = {k: e for k, e in self.ready.items() if k in self.entries}
        return self._newly_ready(time.monotonic() if now is None else now)

    def _newly_ready(self, now: float) -> list[Entry]:
        out: list[Entry] = []
        for name, entry in self.entries.items():
            if name in self.ready:
                continue
            if self._complete(entry):
                self._waiting_since.pop(name, None)
            elif now - self._waiting_since.setdefault(name, now) < PATIENCE:
                break  # wait for it: later entries keep their order
            else:
                self.skipped += 1
                self.ready[name] = entry  # given up on: not returned
                continue
            self.ready[name] = entry
            out.append(entry)
        return out

    def _complete(self, entry: Entry) -> bool:
        try:
            return (self.folder / entry.file).stat().st_size == entry.bytes
        except OSError:
            return False

    def path(self, entry: Entry) -> Path:
        return self.folder / entry.file
