"""``nntui train --fork RUN_DIR[@STEP] --set …``: what a fork continues, checked before any
work. The parent is only read (it may still be training): its kept checkpoint files
are never changed once written."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from nntui.architectures.spec import RunSpec
from nntui.commands.resume import OPTIMIZER_KEYS, config_changes, without_optimizer_state
from nntui.errors import ConfigError
from nntui.presets import apply_override, spec_from_dict
from nntui.runlog.checkpoint import Checkpoint, load_checkpoint
from nntui.runlog.config import read_config
from nntui.runlog.fork import ForkPoint, fork_point, parse_fork


@dataclass
class Fork:
    """A fork ready to build: where it starts, the checkpoint there, the new spec.

    ``changes``: ``{"train.learning_rate": [0.001, 0.0001]}``, what the overrides change.
    """

    point: ForkPoint
    checkpoint: Checkpoint
    spec: RunSpec
    changes: dict[str, list[Any]]

    @property
    def name(self) -> str:
        return f"{self.spec.name}-fork"

    def check_epochs(self) -> None:
        """Refuse a fork that would train nothing.

        Raises:
            ConfigError: the fork's epochs are already done at its step.
        """
        ckpt = self.checkpoint
        done = ckpt.epoch - (1 if ckpt.batch else 0)
        if self.spec.train.epochs <= done:
            raise ConfigError(f"the fork starts after epoch {done} of "
                              f"{self.point.parent}, and its config trains "
                              f"{self.spec.train.epochs}: pass --epochs N with N > {done}. "
                              f"Received: epochs={self.spec.train.epochs}")

    def history(self) -> list[dict[str, Any]]:
        """The config changes of the parent up to the fork, with the fork's own added."""
        new = [{"step": self.point.step, "changes": self.changes}] if self.changes else []
        return [*self.checkpoint.changes, *new]


def prepare_fork(text: str, overrides: list[str]) -> Fork:
    """Read the fork point ``RUN_DIR[@STEP]`` and apply ``overrides`` to the parent's config.

    Raises:
        CheckpointError: no such folder or kept checkpoint, a damaged one or config.
        ConfigError: a bad override, or nothing left to train.
    """
    folder, step = parse_fork(text)
    point = fork_point(folder, step)
    ckpt = load_checkpoint(point.checkpoint)
    base = read_config(point.parent)
    data = copy.deepcopy(base)
    for item in overrides:
        apply_override(data, item)
    spec = spec_from_dict(data)
    changes = config_changes(spec_from_dict(base).to_dict(), spec.to_dict())
    if OPTIMIZER_KEYS & set(changes):
        ckpt = without_optimizer_state(ckpt)
    fork = Fork(point, ckpt, spec, changes)
    fork.check_epochs()
    return fork
