"""Forks: a new run that continues another from one of its kept checkpoints.

``nntui train --fork RUN_DIR[@STEP] --set …`` (and ``f`` on the app's timeline) starts
a fork. Its folder is an ordinary run folder whose rows begin after the fork's step,
plus ``fork.json``::

    {"format": "nntui-fork/1", "parent": "../2026-12-06_1010_cnn-shapes",
     "parent_abs": "/home/me/runs/2026-12-06_1010_cnn-shapes", "step": 400, "epoch": 4,
     "changes": {"train.learning_rate": [0.001, 0.0001]}}

``parent`` is relative to the fork's folder (so a synced or copied ``runs/`` keeps the
link), ``parent_abs`` where it was when the fork began. With no changes the fork
continues exactly as the parent did: the kept checkpoint holds the position to the
sample and every random generator (bit for bit on NumPy).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nntui.errors import CheckpointError
from nntui.runlog.files import atomic_write
from nntui.runlog.kept_files import KeptIndex
from nntui.runlog.rundir import CHECKPOINT_NPZ, CHECKPOINTS_DIR, FORK_JSON

FORMAT = "nntui-fork/1"


@dataclass(frozen=True)
class ForkPoint:
    """Where a fork starts: the parent folder, the step, the checkpoint file holding it."""

    parent: Path
    step: int
    epoch: int
    checkpoint: Path


def parse_fork(text: str) -> tuple[Path, int | None]:
    """``"runs/a@400"`` -> ``(Path("runs/a"), 400)``; ``"runs/a"`` -> ``(Path("runs/a"), None)``.

    Raises:
        CheckpointError: the step after ``@`` is not a whole number >= 0.
    """
    path = Path(text)
    if "@" not in text or path.is_dir():
        return path, None
    folder, _, step = text.rpartition("@")
    if not step.isdigit():
        raise CheckpointError(f"--fork takes RUN_DIR or RUN_DIR@STEP with STEP a whole number "
                              f"of steps. Received: {text!r}")
    return Path(folder), int(step)


def kept_checkpoints(run_dir: Path) -> list[ForkPoint]:
    """The checkpoints kept along ``run_dir`` (steps ascending)."""
    index = KeptIndex(run_dir / CHECKPOINTS_DIR)
    index.poll()
    return [ForkPoint(run_dir, e.step, e.epoch, index.path(e)) for e in index.ready.values()]


def fork_point(run_dir: Path, step: int | None) -> ForkPoint:
    """The kept checkpoint of ``run_dir`` at ``step`` (None: the latest one).

    A run folder written before checkpoints were kept has only ``checkpoint.npz``: that
    one is its only fork point.

    Raises:
        CheckpointError: no such folder, no checkpoint, or none at ``step`` (the kept
            steps nearest to it are named).
    """
    if not run_dir.is_dir():
        raise CheckpointError(f"no run folder at {str(run_dir)!r}; pass a folder under runs/")
    points = kept_checkpoints(run_dir)
    if not points and (run_dir / CHECKPOINT_NPZ).is_file():
        from nntui.runlog.checkpoint import load_checkpoint

        last = load_checkpoint(run_dir)
        points = [ForkPoint(run_dir, last.step, last.epoch, run_dir / CHECKPOINT_NPZ)]
    if not points:
        raise CheckpointError(f"{run_dir} has no checkpoint to fork from (one is written at "
                              "every epoch end)")
    if step is None:
        return points[-1]
    for point in points:
        if point.step == step:
            return point
    near = sorted(points, key=lambda p: abs(p.step - step))[:3]
    steps = ", ".join(str(p.step) for p in sorted(near, key=lambda p: p.step))
    raise CheckpointError(f"{run_dir} keeps no checkpoint at step {step}; the nearest kept "
                          f"steps are {steps} (fork with {run_dir}@STEP). Received: step={step}")


def write_fork_record(run_dir: Path, point: ForkPoint, changes: dict[str, Any]) -> Path:
    """``fork.json`` in the fork's folder (written whole)."""
    parent = point.parent.resolve()
    record = {"format": FORMAT, "parent": os.path.relpath(parent, run_dir.resolve()),
              "parent_abs": str(parent), "step": point.step, "epoch": point.epoch,
              "changes": changes}
    data = json.dumps(record, indent=2, default=str).encode("utf-8")
    path = run_dir / FORK_JSON
    try:
        atomic_write(path, lambda f: f.write(data))
    except OSError as exc:
        raise CheckpointError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


@dataclass(frozen=True)
class ForkRecord:
    """What ``fork.json`` says, with the parent found (None when it cannot be)."""

    parent: Path | None
    step: int
    epoch: int
    changes: dict[str, Any]


def read_fork(run_dir: Path) -> ForkRecord | None:
    """The fork record of ``run_dir`` (None: not a fork, or the record is unreadable).

    The parent is looked for where ``parent`` says relative to the fork, then at
    ``parent_abs``.
    """
    try:
        record = json.loads((run_dir / FORK_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    step, epoch = record.get("step"), record.get("epoch", 0)
    if type(step) is not int or type(epoch) is not int:
        return None
    parent = None
    for where in (record.get("parent"), record.get("parent_abs")):
        if isinstance(where, str) and where:
            candidate = Path(where) if os.path.isabs(where) else run_dir / where
            if candidate.is_dir():
                parent = candidate
                break
    changes = record.get("changes")
    return ForkRecord(parent, step, epoch, changes if isinstance(changes, dict) else {})
