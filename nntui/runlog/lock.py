"""One writer per run folder: an exclusive lock held while a process writes it.

``nntui train`` (fresh or ``--resume``) and the app take the lock of the run folder
before they write a row, and hold it until their logs are closed. A second writer
gets a :class:`~nntui.errors.CheckpointError` naming the holder's process id instead
of interleaving its rows with the first one's. The lock is an ``flock`` on
``run_dir/.lock``: the kernel drops it when its holder exits, however it exits
(SIGKILL included), so a killed run never leaves a stale lock behind. Readers
(replay, plot) take no lock.

Example:
    >>> lock = RunLock.acquire(run_dir)   # doctest: +SKIP
    >>> ...                               # write rows, checkpoints
    >>> lock.release()                    # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from nntui.errors import CheckpointError
from nntui.runlog.rundir import LOCK_FILE

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None  # type: ignore[assignment]


class RunLock:
    """The exclusive write lock of one run folder (see the module docstring)."""

    def __init__(self, run_dir: Path, fd: int | None) -> None:
        self.run_dir, self._fd = run_dir, fd

    @classmethod
    def acquire(cls, run_dir: str | Path) -> RunLock:
        """Take the lock of ``run_dir`` now, or fail at once.

        Raises:
            CheckpointError: another process holds it (its pid is named), or the lock
                file cannot be opened (a link, a read-only folder).
        """
        run_dir = Path(run_dir)
        path = run_dir / LOCK_FILE
        if fcntl is None:
            return cls(run_dir, None)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise CheckpointError(f"cannot lock run folder {run_dir}: {exc.strerror or exc}"
                                  ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise CheckpointError(
                f"run folder {run_dir} is being written by another process ({holder}); "
                "wait for it to end or stop it, then try again") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(run_dir, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Let the next writer in. Safe to call more than once."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdigit() else "pid unknown"
