"""Snapshots in the run folder: what every panel needs at a step, kept for replay and
time travel.

``run_dir/snapshots/`` holds one archive per kept snapshot and an append-only
``index.jsonl`` (see :mod:`~nntui.runlog.kept_files` for the index, the budget and
the thinning). An archive is a plain ``.npz`` (ZIP, deflated): one ``<key>.npy`` per
array and a ``meta.json`` member describing the snapshot with references to them
(:mod:`~nntui.runlog.snapshot_codec`). No pickle: ``numpy.load(path)`` opens it and
``json.loads(archive["meta.json"])`` reads its description.

The writer runs on its own thread: the trainer hands it the (immutable) event and
goes on; encoding, compression and the disk happen beside training. When it falls
more than :data:`QUEUE` snapshots behind, the newest is not kept (counted in
:attr:`SnapshotWriter.skipped`) rather than slowing training down.
"""

from __future__ import annotations

import io
import json
import queue
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from nntui.engine.events import SnapshotTaken
from nntui.errors import CheckpointError
from nntui.runlog.kept_files import Entry, KeptFiles, KeptIndex
from nntui.runlog.rundir import SNAPSHOTS_DIR
from nntui.runlog.snapshot_codec import decode, encode

META = "meta.json"
QUEUE = 16
MAX_SNAPSHOT_BYTES = 256 << 20  # what one archive may unpack to (nntui writes < 1 MB)
COMPRESSLEVEL = 1  # zlib's fastest: sampled floats barely compress, pictures a lot


def write_archive(f: IO[bytes], arrays: Mapping[str, np.ndarray], meta: dict[str, Any]) -> None:
    """The archive: every array as ``<key>.npy`` and ``meta.json``."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        for key, array in arrays.items():
            with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)
        zf.writestr(META, json.dumps(meta, allow_nan=False))


class SnapshotWriter:
    """Keeps the snapshots of one run under ``run_dir/snapshots`` within ``budget`` bytes.

    Args:
        run_dir: the run folder.
        budget: bytes the snapshots may take (0: no limit).
        resume_step: a resumed run's checkpoint step (later snapshots are dropped).

    Raises:
        CheckpointError: the folder cannot be made or its index opened.
    """

    def __init__(self, run_dir: Path, budget: int, resume_step: int | None = None) -> None:
        self.files = KeptFiles(Path(run_dir) / SNAPSHOTS_DIR, budget, resume_step)
        self.skipped = 0
        """Snapshots not kept because the writer was :data:`QUEUE` behind."""
        self.error: BaseException | None = None
        self._queue: queue.Queue[SnapshotTaken | None] = queue.Queue(maxsize=QUEUE)
        self._thread = threading.Thread(target=self._work, name="nntui-snapshots", daemon=True)
        self._thread.start()

    def put(self, event: SnapshotTaken) -> None:
        """Keep ``event`` (when its turn under the stride comes; a fresh one always).

        Raises:
            CheckpointError: an earlier snapshot could not be written (disk full ...).
        """
        self._raise()
        if not self.files.wanted(force=bool(getattr(event, "fresh", False))):
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.skipped += 1

    def flush(self) -> None:
        """Wait until every snapshot handed over is written."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        """Write what is queued, close the index. Safe to call twice.

        Raises:
            CheckpointError: a snapshot could not be written.
        """
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self.files.close()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            error = self.error
            raise CheckpointError(f"cannot write snapshots in {self.files.folder}: "
                                  f"{getattr(error, 'strerror', None) or error}")

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                if self.error is None:
                    self._write(event)
            except (OSError, CheckpointError, ValueError) as exc:
                self.error = exc
            finally:
                self._queue.task_done()

    def _write(self, event: SnapshotTaken) -> None:
        arrays, meta = encode(event)
        fresh = bool(getattr(event, "fresh", False))
        self.files.add(event.step, event.epoch, lambda f: write_archive(f, arrays, meta),
                       fresh=fresh)


class SnapshotReader:
    """Reads the snapshots of a run folder, following them while they are written.

    Example:
        >>> reader = SnapshotReader(run_dir)            # doctest: +SKIP
        >>> for entry in reader.poll():                  # doctest: +SKIP
        ...     history.apply(reader.load(entry))
    """

    CACHE = 96  # decoded snapshots kept (time travel moves back and forth)

    def __init__(self, run_dir: str | Path) -> None:
        self.index = KeptIndex(Path(run_dir) / SNAPSHOTS_DIR)
        self._cache: OrderedDict[tuple[str, bool], SnapshotTaken] = OrderedDict()

    def poll(self) -> list[Entry]:
        """Snapshots that became readable since the last call, in the order written."""
        return self.index.poll()

    @property
    def entries(self) -> list[Entry]:
        """Every readable snapshot kept now, in the order written (steps ascending)."""
        return list(self.index.ready.values())

    def load(self, entry: Entry, extras: bool = True) -> SnapshotTaken:
        """The snapshot ``entry`` names (``extras`` False: its layers only, faster).

        Raises:
            CheckpointError: the file is gone (thinned since), damaged or not a snapshot.
        """
        key = (entry.file, extras)
        hit = self._cache.get(key) or self._cache.get((entry.file, True))
        if hit is not None:
            self._cache.move_to_end(key if key in self._cache else (entry.file, True))
            return hit
        event = read_snapshot(self.index.path(entry), extras=extras)
        self._cache[key] = event
        while len(self._cache) > self.CACHE:
            self._cache.popitem(last=False)
        return event

    def at(self, step: int) -> Entry | None:
        """The last kept snapshot at or before ``step``."""
        best = None
        for entry in self.index.ready.values():
            if entry.step <= step:
                best = entry
        return best


def read_snapshot(path: Path, extras: bool = True) -> SnapshotTaken:
    """One snapshot archive, read without pickle, every member checked.

    Raises:
        CheckpointError: missing, damaged (CRC, truncated), too large, or not a snapshot.
    """
    from nntui.data.files import regular_file

    regular_file(path, "snapshot", CheckpointError, MAX_SNAPSHOT_BYTES)
    try:
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_SNAPSHOT_BYTES:
                raise CheckpointError(f"{path}: unpacks to more than "
                                      f"{MAX_SNAPSHOT_BYTES >> 20} MB; not an nntui snapshot")
            meta = json.loads(zf.read(META).decode("utf-8"))

            def load(key: str) -> np.ndarray:
                data = zf.read(f"{key}.npy")
                return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)

            return decode(meta, load, extras=extras)
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise CheckpointError(f"{path}: the snapshot is gone (thinned since?)") from None
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error,
            RecursionError) as exc:
        raise CheckpointError(f"{path}: damaged snapshot ({type(exc).__name__}: {exc})"
                              ) from None
