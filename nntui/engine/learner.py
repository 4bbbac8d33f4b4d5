"""The learner contract: what the trainer, checkpoints and the gradient watch rely on.

A learner is anything the :class:`~nntui.engine.trainer.Trainer` can train: a
:class:`~nntui.engine.model.Sequential` (and the perceptron, which is one), or a
:class:`~nntui.engine.gan.GAN` made of two. Code outside the engine reads a
learner only through these names, never through private attributes.

Example:
    >>> [tag for tag, _ in gan.parts()]
    ['g', 'd']
    >>> model.last_prediction is None  # no step yet
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nntui.engine.backend.base import Array, Backend
from nntui.engine.layers.base import Layer
from nntui.engine.metrics import Metric
from nntui.engine.optimizers import Optimizer


@runtime_checkable
class Part(Protocol):
    """One trained stack of layers with its own optimizer (a Sequential)."""

    name: str
    ops: Backend
    layers: list[Layer]
    optimizer: Optimizer | None


class RateHolder(Protocol):
    """What holds a learner's learning rate (its optimizer; both of a GAN's at once)."""

    learning_rate: float


@runtime_checkable
class Learner(Protocol):
    """The training interface of a model.

    Attributes:
        name: the model's name.
        ops: the backend its arrays live on.
        metrics: ``(name, fn)`` pairs computed on each batch's predictions.
        record_outputs: while True, the forward pass keeps every layer's output
            (the trainer sets it on snapshot steps).
        stop_training: set True (a Keras callback does) to end training after the batch.
        uses_gradients: False when the update rule takes no gradient (the perceptron
            rule): there is no gradient to show, check or watch.
        rng: the generator behind its own randomness (initialisation, a GAN's z).
    """

    name: str
    ops: Backend
    metrics: list[tuple[str, Metric]]
    record_outputs: bool
    stop_training: bool
    uses_gradients: bool
    rng: np.random.Generator

    @property
    def optimizer(self) -> RateHolder | None:
        """Holds the learning rate the trainer shows and changes (None: not compiled)."""
        ...

    @property
    def backend(self) -> str: ...

    @property
    def layers(self) -> list[Layer]: ...

    @property
    def last_prediction(self) -> Array | None:
        """The model's output on the last training batch (None before the first step)."""
        ...

    @property
    def layer_outputs(self) -> list[Array]:
        """Every layer's output of the last forward pass made with ``record_outputs``."""
        ...

    def parts(self) -> Sequence[tuple[str, Part]]:
        """The stacks it trains, tagged: ``[("m", self)]`` or ``[("g", G), ("d", D)]``."""
        ...

    def optimizers(self) -> list[Optimizer]:
        """The optimizers of its parts (one per part that has one)."""
        ...

    def metric_definitions(self) -> dict[str, str]:
        """What each figure ``train_step`` reports measures, in one line."""
        ...

    def prepare(self, x: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]: ...

    def batches(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                shuffle: bool = False, rng: np.random.Generator | None = None, *,
                order: np.ndarray | None = None, start: int = 0
                ) -> Iterator[tuple[Array, Array | None]]:
        """Backend batches in ``order`` (or shuffled by ``rng``), from sample ``start``."""
        ...

    def train_step(self, xb: Array, yb: Array) -> float | dict[str, float]: ...

    def get_weights(self) -> list[np.ndarray]:
        """Every weight of every part as NumPy arrays, in a fixed order (Keras's)."""
        ...

    def evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int = 256
                        ) -> dict[str, float]: ...


def global_norms(learner: Learner) -> list[float]:
    """The global gradient norm of the last step, per optimizer (a GAN has two); empty
    for a learner that takes no gradients."""
    if not learner.uses_gradients:
        return []
    return [float(opt.last_global_norm) for opt in learner.optimizers()]
