"""The loss landscape of a training run: the weights' trail while it trains, a copy of
the model to evaluate the loss on, and :func:`compute_landscape`, which the app runs
in a worker thread with progress.

The trainer's model is never moved off its weights: the landscape is evaluated on a
float64 NumPy copy (:func:`copy_model`) with the same layers, switched-off units and
L1/L2 penalties, at inference (no dropout), on a fixed sample of the training data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.engine import events as ev
from nntui.engine.layers import LAYER_NAMES, get_layer_class
from nntui.engine.learner import Learner
from nntui.engine.model import Sequential
from nntui.errors import ConfigError
from nntui.inspect.landscape import (
    Cancelled,
    LossAt,
    Progress,
    Weights,
    interpolation,
    pca_directions,
    project,
    random_directions,
    surface,
)

MODES = ("random", "pca")
MAX_SAMPLES = 512  # training samples the loss is evaluated on
TRAIL_POINTS = 64  # weight copies kept along the trajectory (thinned by halving)
TRAIL_VALUES = 16_000_000  # at most this many numbers kept in the trail
LINE_TS = np.linspace(-0.25, 1.25, 31)  # the 1-D interpolation's t (0: initial, 1: now)


def _public_name(layer: Any) -> str:
    return next((n for n in LAYER_NAMES if get_layer_class(n) is type(layer)),
                type(layer).__name__)


def copy_model(model: Learner) -> Sequential:
    """A float64 NumPy copy of a compiled Sequential: same layers, weights, switched-off
    units and penalties, for evaluation only.

    Raises:
        ConfigError: the learner is not a Sequential trained by gradients on a loss.
    """
    if not isinstance(model, Sequential) or not model.uses_gradients or model.loss is None:
        raise ConfigError("the loss landscape needs a model trained by gradient descent on "
                          "a loss (a perceptron's rule and a GAN's two losses have none)")
    layers = [get_layer_class(_public_name(ly))(**ly.get_config()) for ly in model.layers]
    copy = Sequential(layers, name=f"{model.name}-copy", backend="numpy", dtype="float64")
    copy.input_shape = model.input_shape
    copy.build()
    copy.set_weights(model.get_weights())
    for mine, theirs in zip(copy.layers, model.layers, strict=True):
        if theirs.unit_mask is not None:
            mine.unit_mask = np.asarray(model.ops.to_numpy(theirs.unit_mask), np.float64)
        mine.regularizers = dict(theirs.regularizers)
    copy.compile("sgd", model.loss.name)
    return copy


def model_loss(model: Sequential, x: np.ndarray, y: np.ndarray) -> LossAt:
    """``loss_at(weights)``: the model's loss (penalties included) on ``x, y`` with
    ``weights`` set (the model is changed: pass a copy)."""
    xs, ys = model.prepare(x, y)
    assert ys is not None

    def loss_at(weights: Weights) -> float:
        model.set_weights(weights)
        return float(model.evaluate_arrays(xs, ys, batch_size=len(xs))["loss"])
    return loss_at


class WeightTrail:
    """A trainer subscriber keeping copies of the weights: at the start, then every
    ``stride`` steps; when ``cap`` are kept every other one goes and the stride doubles
    (the first, the initial weights, always stays).

    Reads the model on the trainer's thread, between steps (events are emitted there).
    """

    def __init__(self, model: Learner, cap: int = TRAIL_POINTS) -> None:
        self.model = model
        size = sum(int(np.size(w)) for w in model.get_weights()) or 1
        self.cap = max(3, min(cap, TRAIL_VALUES // size))
        self.stride = 1
        self.points: list[tuple[int, Weights]] = []

    def __call__(self, event: object) -> None:
        if isinstance(event, ev.TrainingStarted) and not self.points:
            self._keep(event.start_step)
        elif isinstance(event, ev.StepCompleted) and event.step % self.stride == 0:
            self._keep(event.step)

    def _keep(self, step: int) -> None:
        self.points.append((step, [np.array(w, np.float32) for w in self.model.get_weights()]))
        if len(self.points) > self.cap:
            self.points = self.points[::2]
            self.stride *= 2


@dataclass(frozen=True)
class Landscape:
    """A computed slice: ``losses[i, j]`` at ``(alphas[j], betas[i])``; ``path`` the
    trajectory's ``(α, β)`` at ``path_steps`` (the last point: now, the centre);
    ``line`` the loss at ``ts`` between the initial weights (t = 0) and now (t = 1)."""

    mode: str
    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    path: np.ndarray
    path_steps: np.ndarray
    ts: np.ndarray
    line: np.ndarray
    step: int
    samples: int
    explained: tuple[float, float] | None = None


def compute_landscape(model: Sequential, x: np.ndarray, y: np.ndarray, center: Weights,
                      trail: list[tuple[int, Weights]], step: int, mode: str = "random",
                      resolution: int = 21, seed: int = 0, progress: Progress | None = None,
                      cancelled: Cancelled | None = None) -> Landscape:
    """The slice around ``center`` (the weights at ``step``) and the 1-D interpolation
    from the trail's first weights; ``model`` is a copy (see :func:`copy_model`).

    Raises:
        ConfigError: an unknown mode, or PCA directions of a trajectory too short.
    """
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}. Received: {mode!r}")
    rng = np.random.default_rng(seed)
    take = np.sort(rng.permutation(len(x))[:MAX_SAMPLES])
    loss_at = model_loss(model, x[take], y[take])
    points = [w for _, w in trail] + [center]
    explained = None
    if mode == "random":
        d1, d2 = random_directions(center, rng)
        path = project(points, center, d1, d2)
        reach = 1.0
    else:
        try:
            d1, d2, explained = pca_directions(points, center)
        except ValueError as exc:
            raise ConfigError(f"PCA directions: {exc}; train a few more steps") from None
        path = project(points, center, d1, d2)
        reach = 1.25 * float(np.max(np.abs(path))) or 1.0
    axis = np.linspace(-reach, reach, resolution)
    total = resolution * resolution + len(LINE_TS)
    grid = resolution * resolution

    def report(offset: int) -> Progress | None:
        return None if progress is None else (lambda k, n: progress(offset + k, total))
    losses = surface(loss_at, center, d1, d2, axis, axis, report(0), cancelled)
    line = interpolation(loss_at, points[0], center, LINE_TS, report(grid))
    steps = np.array([s for s, _ in trail] + [step])
    return Landscape(mode, axis, axis, losses, path, steps, LINE_TS, line, step, len(take),
                     explained)
