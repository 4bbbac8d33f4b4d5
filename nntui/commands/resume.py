"""``nntui train --resume RUN_DIR``: what a resume continues, checked before any work.

The run folder is locked first (one writer at a time), its files checked (no links),
its checkpoint read and validated, and the overrides applied to its ``config.toml``.
Nothing in the folder changes here: the overrides are recorded as changes that take
effect with the resumed run's first checkpoint (see ``CheckpointWriter``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nntui.architectures.spec import RunSpec
from nntui.errors import CheckpointError, ConfigError
from nntui.presets import apply_override, spec_from_dict
from nntui.runlog.checkpoint import Checkpoint, load_checkpoint
from nntui.runlog.config import read_config
from nntui.runlog.lock import RunLock
from nntui.runlog.rundir import check_run_files


@dataclass
class Resume:
    """A resume ready to build: the folder (locked), its checkpoint, the new spec.

    ``changes``: ``{"train.epochs": [2, 4]}``, what the overrides change in the config.
    """

    run_dir: Path
    lock: RunLock
    checkpoint: Checkpoint
    spec: RunSpec
    changes: dict[str, list[Any]]

    def check_epochs(self) -> None:
        """Refuse a resume that would train nothing (a finished run, or ``--epochs`` not
        above the epochs done), naming what to pass instead.

        Raises:
            ConfigError: nothing left to train.
        """
        ckpt = self.checkpoint
        done = ckpt.epoch - (1 if ckpt.batch else 0)
        wanted = self.spec.train.epochs
        if wanted > done:
            return
        if "train.epochs" not in self.changes:
            raise ConfigError(f"nothing to resume: {self.run_dir} has trained all {done} "
                              f"epochs of its config (step {ckpt.step}); to train further "
                              f"pass --epochs N with N > {done}")
        raise ConfigError(f"--epochs {wanted} is not more than the {done} epochs "
                          f"{self.run_dir} has trained already, so nothing would be trained; "
                          f"pass --epochs N with N > {done}. Received: epochs={wanted}")

    def history(self) -> list[dict[str, Any]]:
        """The run's config changes with this one added (each with the step it applies from)."""
        new = [{"step": self.checkpoint.step, "changes": self.changes}] if self.changes else []
        return [*self.checkpoint.changes, *new]


def prepare_resume(run_dir: str | Path, overrides: list[str]) -> Resume:
    """Lock ``run_dir`` and read what the resume continues.

    Raises:
        CheckpointError: no such folder, another process writes it, a file is a link,
            the checkpoint or config is damaged.
        ConfigError: a bad override, or nothing left to train.
    """
    path = Path(run_dir)
    if not path.is_dir():
        raise CheckpointError(f"no run folder at {str(path)!r}; pass a folder under runs/")
    lock = RunLock.acquire(path)
    try:
        check_run_files(path)
        ckpt = load_checkpoint(path)
        base = read_config(path)
        data = copy.deepcopy(base)
        for item in overrides:
            apply_override(data, item)
        spec = spec_from_dict(data)
        changes = config_changes(spec_from_dict(base).to_dict(), spec.to_dict())
        if OPTIMIZER_KEYS & set(changes):  # its saved state belongs to the old optimizer
            ckpt = without_optimizer_state(ckpt)
        return Resume(path, lock, ckpt, spec, changes)
    except BaseException:
        lock.release()
        raise


OPTIMIZER_KEYS = frozenset({"train.optimizer", "train.momentum"})
"""Changes after which the saved optimizer state no longer applies: it starts afresh."""


def without_optimizer_state(ckpt: Checkpoint) -> Checkpoint:
    """The checkpoint without its optimizer's state (a changed optimizer starts afresh)."""
    return replace(ckpt, arrays={k: v for k, v in ckpt.arrays.items() if not _optimizer_key(k)})


def _optimizer_key(name: str) -> bool:
    _, _, rest = name.partition("/")
    return rest.startswith("opt/") or rest == "opt_iterations"


def config_changes(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = ""
                   ) -> dict[str, list[Any]]:
    """``{"train.learning_rate": [0.01, 0.001]}``: every leaf that differs."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out.update(config_changes(a, b, f"{prefix}{key}."))
        elif a != b:
            out[f"{prefix}{key}"] = [a, b]
    return out
