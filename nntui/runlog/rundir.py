"""The run folder: its file names and a chooser of fresh, unique folder names.

A run folder looks like::

    runs/2026-11-22_0210_mlp-spiral/
        config.toml        the resolved run config (``nntui train`` reads it back)
        metrics.csv        one row per step and per epoch, fixed columns + metrics
        metrics.jsonl      the same rows as JSON objects (+ finished/failed rows)
        tb/                TensorBoard event files (scalars, histograms)
        checkpoint.npz     named arrays + embedded metadata (the source of truth)
        checkpoint.json    the checkpoint's metadata, human-readable
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

CONFIG_TOML = "config.toml"
METRICS_CSV = "metrics.csv"
METRICS_JSONL = "metrics.jsonl"
TB_DIR = "tb"
CHECKPOINT_NPZ = "checkpoint.npz"
CHECKPOINT_JSON = "checkpoint.json"

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def slugify(name: str) -> str:
    """A file-name-safe, lower-case form of ``name``: ``"MLP / Spiral"`` -> ``"mlp-spiral"``."""
    slug = _UNSAFE.sub("-", name.lower()).strip("-.")
    return slug or "run"


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
    """
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    stem = f"{(now or datetime.now()):%Y-%m-%d_%H%M}_{slugify(name)}"
    suffix = 1
    while True:
        candidate = base / (stem if suffix == 1 else f"{stem}-{suffix}")
        try:
            candidate.mkdir()
        except FileExistsError:
            suffix += 1
            continue
        return candidate
