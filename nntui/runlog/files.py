"""Small file primitives the run log relies on: atomic replace, fsync, cut lines.

A run must survive being killed at any instant, so every whole-file write goes
through a temp file in the same folder and ``os.replace`` (readers see the old
file or the new one, never half of one), and every append-only log is read up to
its last newline only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

_TAIL_CHUNK = 64 * 1024


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
"""The mode a plain ``open(path, "w")`` gives (read at import, before any thread)."""


def fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (POSIX only)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        # Some file systems (and network mounts) refuse fsync on a directory; the
        # rename itself already happened, durability is best effort there.
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` through ``write(file)`` so that it appears whole or not at all.

    The data goes to a temp file next to ``path`` (same file system), is fsynced,
    then renamed over ``path``. On any failure the temp file is removed and the
    previous ``path``, if any, is left untouched. The file gets the mode a plain write
    would give (a temp file is private to its owner: a run folder shared with a class,
    or synced, would be unreadable to the others).

    Raises:
        Whatever ``write`` or the file system raises.
    """
    tmp = tempfile.NamedTemporaryFile(  # closed below, before the rename
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with tmp:
            write(tmp)
            tmp.flush()
            if hasattr(os, "fchmod"):  # POSIX
                os.fchmod(tmp.fileno(), _FILE_MODE)
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp.name)
        raise
    fsync_dir(path.parent)


def complete_lines(data: bytes) -> bytes:
    """The prefix of ``data`` up to and including its last ``b"\\n"``.

    A line without its newline is one a writer was killed in the middle of (or is
    still writing); it is left for later.
    """
    return data[: data.rfind(b"\n") + 1]


def truncate_partial_line(path: Path) -> None:
    """Cut a trailing line that has no newline, so appending starts on a fresh line."""
    with open(path, "r+b") as f:
        end = f.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            start = max(0, pos - _TAIL_CHUNK)
            f.seek(start)
            newline = f.read(pos - start).rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            pos = start
        else:
            keep = 0
        if keep != end:
            f.truncate(keep)
