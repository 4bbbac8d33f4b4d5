"""The run folder: its file names and a chooser of fresh, unique folder names.

A run folder looks like::

    runs/2026-11-22_0210_mlp-spiral/
        config.toml        the resolved run config (``nntui train`` reads it back)
        metrics.csv        one row per step and per epoch, fixed columns + metrics
        metrics.jsonl      the same rows as JSON objects (+ finished/failed rows)
        tb/                TensorBoard event files (scalars, histograms)
        checkpoint.npz     named arrays + embedded metadata (the source of truth)
        checkpoint.json    the checkpoint's metadata, human-readable
        snapshots/         what every panel needs, step by step (``snapshot_store.py``)
        checkpoints/       checkpoints kept along the run, for time travel and forks
        fork.json          a fork: the run it continues and from which step (``fork.py``)
        .lock              held by the process writing the folder (see ``lock.py``)

Nothing in a run folder may be a link: a writer that followed ``metrics.jsonl ->
~/.bashrc`` would append to a file outside the folder. :func:`check_run_files`
refuses them before anything is opened.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime
from pathlib import Path

from nntui.errors import CheckpointError

CONFIG_TOML = "config.toml"
METRICS_CSV = "metrics.csv"
METRICS_JSONL = "metrics.jsonl"
TB_DIR = "tb"
CHECKPOINT_NPZ = "checkpoint.npz"
CHECKPOINT_JSON = "checkpoint.json"
LOCK_FILE = ".lock"
SNAPSHOTS_DIR = "snapshots"
CHECKPOINTS_DIR = "checkpoints"
FORK_JSON = "fork.json"
KEPT_INDEX = "index.jsonl"
RUN_FILES = (CONFIG_TOML, METRICS_CSV, METRICS_JSONL, TB_DIR, CHECKPOINT_NPZ, CHECKPOINT_JSON,
             LOCK_FILE, SNAPSHOTS_DIR, CHECKPOINTS_DIR, FORK_JSON,
             f"{SNAPSHOTS_DIR}/{KEPT_INDEX}", f"{CHECKPOINTS_DIR}/{KEPT_INDEX}")
DEFAULT_BUDGET_MB = 50.0
"""What a run's snapshots and kept checkpoints may take together, in MB (``--budget``):
about 10 minutes of a CNN at the default pace before the oldest are thinned."""
CHECKPOINT_SHARE = 0.25
"""The part of the budget the kept checkpoints get; the snapshots have the rest."""
MAX_SLUG = 64  # a 250-character preset name must still make a folder name (<= 255 bytes)

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def slugify(name: str) -> str:
    """A file-name-safe, lower-case form of ``name``: ``"MLP / Spiral"`` -> ``"mlp-spiral"``
    (at most :data:`MAX_SLUG` characters)."""
    slug = _UNSAFE.sub("-", name.lower())[:MAX_SLUG].strip("-.")
    return slug or "run"


def check_run_files(run_dir: Path) -> None:
    """Refuse a run folder whose files are links (symbolic, or hard links to other files).

    Raises:
        CheckpointError: names the file and where it points.
    """
    for name in RUN_FILES:
        path = run_dir / name
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from None
        if stat.S_ISLNK(st.st_mode):
            raise CheckpointError(
                f"{path} is a link (to {os.readlink(path)!r}); nntui writes only files inside "
                "the run folder and does not follow links out of it. Replace it with the file")
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            raise CheckpointError(
                f"{path} has {st.st_nlink} hard links, so writing it would change another "
                "file too; copy it (cp) to break the link")


def new_run_dir(
    base: str | Path = "runs", name: str = "run", *, now: datetime | None = None
) -> Path:
    """Create and return a new, empty run folder ``base/YYYY-MM-DD_HHMM_<name>``.

    Never reuses an existing folder: when the name is taken (two runs in the same
    minute), ``-2``, ``-3``, ... is appended. Creation is atomic (``mkdir``), so two
    processes starting at once get different folders.

    Args:
        base: parent folder, created if missing.
        name: run name (preset or architecture); slugified.
        now: timestamp to use (default: the local time now).

    Example:
        >>> new_run_dir("runs", "mlp-spiral")  # doctest: +SKIP
        PosixPath('runs/2026-11-22_0210_mlp-spiral')

    Raises:
        CheckpointError: the folder cannot be made (``base`` is a file, a read-only file
            system, a path too long), in one line naming the path.
    """
    base = Path(base)
    stem = f"{(now or datetime.now()):%Y-%m-%d_%H%M}_{slugify(name)}"
    suffix = 1
    try:
        if base.exists() and not base.is_dir():
            raise CheckpointError(f"cannot create run folders in {str(base)!r}: it is a "
                                  "file, not a folder (check --log-dir)")
        base.mkdir(parents=True, exist_ok=True)
        while True:
            candidate = base / (stem if suffix == 1 else f"{stem}-{suffix}")
            try:
                candidate.mkdir()
            except FileExistsError:
                suffix += 1
                continue
            return candidate
    except OSError as exc:
        raise CheckpointError(f"cannot create a run folder in {str(base)!r}: "
                              f"{exc.strerror or exc} (check --log-dir)") from None
