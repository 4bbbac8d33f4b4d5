"""A run's validated settings as frozen dataclasses: ``RunSpec`` and its parts.

``nntui.presets`` parses TOML into these (validating every field); architectures
build from them; ``RunSpec.to_dict()`` gives back the TOML that reproduces a run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class TrainSpec:
    """Training settings. Defaults are Keras's where Keras has one."""

    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.0  # SGD only
    loss: str = "auto"  # "auto": chosen from the dataset's task
    metrics: tuple[str, ...] = ("auto",)
    batch_size: int = 32
    epochs: int = 10
    seed: int = 0
    backend: str = "auto"
    validation_split: float = 0.2
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    clipnorm: float = 0.0  # global gradient-norm clip; 0 = off
    snapshot_every: int = 20
    lr_schedule: str = "constant"  # or "exponential", "inverse_time", "cosine" (Keras's decays)
    lr_decay_steps: int = 1000  # steps over which the schedule decays
    lr_decay_rate: float = 0.5  # exponential / inverse_time rate (cosine decays to 0)
    early_stopping: int = 0  # patience in epochs on val_loss, best weights restored; 0 = off


@dataclass(frozen=True)
class Expectation:
    """What the preset should reach: ``metric`` at least ``min`` (or at most ``max``)."""

    metric: str = ""
    min: float | None = None
    max: float | None = None
    text: str = ""


@dataclass(frozen=True)
class RunSpec:
    name: str
    title: str
    architecture: str
    description: str
    dataset: dict[str, Any]
    model: dict[str, Any]
    train: TrainSpec
    expect: Expectation = field(default_factory=Expectation)

    def to_dict(self) -> dict[str, Any]:
        """The TOML-able config; ``nntui train`` accepts it back."""
        d = asdict(self)
        d["train"]["metrics"] = list(self.train.metrics)
        d["expect"] = {k: v for k, v in d["expect"].items() if v not in (None, "")}
        return d

    def with_train(self, **changes: Any) -> RunSpec:
        return replace(self, train=replace(self.train, **changes))
