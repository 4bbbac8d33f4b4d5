"""A generative adversarial network: generator G and discriminator D, trained in turn.

Each step: D learns to tell real x from G(z) (BCE, targets 1 and 0); then G learns
to make D answer 1 on G(z), with the gradient flowing back through D (whose own
gradients from that pass are thrown away).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array
from nntui.engine.mode_coverage import SAMPLES, ModeCoverage
from nntui.engine.model import Sequential
from nntui.engine.optimizers import Optimizer, get_optimizer
from nntui.engine.seeding import make_rng


class _BothRates:
    """Lets ``trainer.set_learning_rate`` change G's and D's rate together."""

    def __init__(self, gan: GAN) -> None:
        self._gan = gan

    @property
    def learning_rate(self) -> float:
        return self._gan.g.compiled()[1].learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._gan.g.compiled()[1].learning_rate = value
        self._gan.d.compiled()[1].learning_rate = value


class GAN:
    """Generator and discriminator with the trainer's model interface.

    Args:
        generator: Sequential from latent vectors (latent_dim,) to samples.
        discriminator: Sequential from samples to one sigmoid unit.
        latent_dim: size of z ~ N(0, I).
        seed: seed of the latent draws.
        real_target: D's target for real samples (0.9: one-sided label smoothing).
    """

    def __init__(self, generator: Sequential, discriminator: Sequential, latent_dim: int,
                 seed: int | None = None, real_target: float = 1.0) -> None:
        self.g, self.d = generator, discriminator
        self.real_target = float(real_target)
        """D's target for real samples (below 1: one-sided label smoothing)."""
        self.latent_dim = latent_dim
        self.ops = generator.ops
        self.backend = generator.backend
        self.rng = make_rng(seed)
        self.name = "gan"
        self.metrics: list[Any] = []
        self._last_pred: Array | None = None
        self.coverage: ModeCoverage | None = None
        """Set for data with known modes: each epoch then logs ``modes`` and ``good``."""
        self.record_outputs = False
        self.stop_training = False
        self._outputs: list[Array] = []

    def compile(self, g_optimizer: Any = "adam", d_optimizer: Any = "adam") -> None:
        g_opt: Optimizer = get_optimizer(g_optimizer)
        d_opt: Optimizer = get_optimizer(d_optimizer)
        self.g.compile(optimizer=g_opt, loss="binary_crossentropy")
        self.d.compile(optimizer=d_opt, loss="binary_crossentropy")
        self.optimizer = _BothRates(self)

    # the learner contract (nntui.engine.learner) -----------------------------------
    uses_gradients = True

    @property
    def layers(self) -> list[Any]:
        return self.g.layers + self.d.layers

    @property
    def last_prediction(self) -> Array | None:
        return self._last_pred

    @property
    def layer_outputs(self) -> list[Array]:
        return self._outputs

    def parts(self) -> list[tuple[str, Sequential]]:
        return [("g", self.g), ("d", self.d)]

    def optimizers(self) -> list[Optimizer]:
        return [opt for _, part in self.parts() for opt in part.optimizers()]

    def metric_definitions(self) -> dict[str, str]:
        return {
            "loss": "d_loss + g_loss",
            "d_loss": "the discriminator's binary cross-entropy, mean of real (target 1) "
                      "and generated (target 0) samples",
            "g_loss": "the generator's loss: D's cross-entropy on generated samples with "
                      "target 1 (low when it fools D)",
            "d_real": "D(x), the discriminator's mean output on real samples (0.5 at balance)",
            "d_fake": "D(G(z)), its mean output on generated samples (0.5 at balance)",
            **({} if self.coverage is None else {
                "modes": "modes of the data with at least a fifth of their fair share of "
                         f"{SAMPLES} generated samples within 3σ of their centre",
                "good": "share of generated samples within 3σ of a mode's centre"}),
        }

    def epoch_metrics(self) -> dict[str, float]:
        """Modes covered and the share of good samples (:mod:`nntui.engine.mode_coverage`)
        over 2000 samples of the same z every epoch, when ``coverage`` is set; else nothing."""
        if self.coverage is None:
            return {}
        # the same z every epoch, apart from training's draws: a resumed run logs what the
        # uninterrupted one logs
        return self.coverage.measure(self.sample(SAMPLES, np.random.default_rng(0)))

    def prepare(self, x: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray]:
        x, _ = self.d.prepare(x)
        self.g.build((self.latent_dim,))
        return x, np.zeros((len(x), 1), np.float32)

    def batches(self, x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool = False,
                rng: np.random.Generator | None = None, *, order: np.ndarray | None = None,
                start: int = 0) -> Iterator[tuple[Array, Array | None]]:
        return self.d.batches(x, y, batch_size, shuffle, rng, order=order, start=start)

    def sample(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """n generated samples as NumPy."""
        z = self.ops.normal((n, self.latent_dim), rng or self.rng)
        return self.ops.to_numpy(self.g.forward(z, training=False))

    def train_step(self, xb: Array, yb: Array | None = None) -> dict[str, float]:
        ops, g, d = self.ops, self.g, self.d
        n = xb.shape[0]
        ones, zeros = ops.ones((n, 1)), ops.zeros((n, 1))
        real = ones if self.real_target == 1.0 else ops.full((n, 1), self.real_target)
        # discriminator step: real -> 1 (or the smoothed target), fake -> 0
        for layer in d.layers:
            layer.zero_grad()
        fake = g.forward(ops.normal((n, self.latent_dim), self.rng), training=True)
        p_real = d.forward(xb, training=True)
        loss_r, grad, fused = d.compute_loss_and_grad(real, p_real)
        d.backward(grad, fused=fused, input_grad=False)  # no dL/dx: the images are data
        p_fake = d.forward(fake, training=True)
        loss_f, grad, fused = d.compute_loss_and_grad(zeros, p_fake)
        d.backward(grad, fused=fused, input_grad=False)  # G is not trained on this pass
        d.apply_gradients()
        # generator step: make D say 1 on G(z); D only passes the gradient through (its own
        # gradients stay those of its step, for whoever looks at them)
        for layer in g.layers:
            layer.zero_grad()
        fake = g.forward(ops.normal((n, self.latent_dim), self.rng), training=True)
        p = d.forward(fake, training=True)
        loss_g, grad, fused = d.compute_loss_and_grad(ones, p)
        g.backward(d.backward(grad, fused=fused, weight_grads=False))  # D passes it through
        g.apply_gradients()
        d_loss = 0.5 * (ops.item(loss_r) + ops.item(loss_f))
        return {"loss": d_loss + ops.item(loss_g), "d_loss": d_loss, "g_loss": ops.item(loss_g),
                "d_real": ops.item(ops.mean(p_real)), "d_fake": ops.item(ops.mean(p_fake))}

    def evaluate_arrays(self, x: np.ndarray, y: np.ndarray | None = None,
                        batch_size: int = 256) -> dict[str, float]:
        ops = self.ops
        xb = ops.asarray(x[:512])
        n = xb.shape[0]
        p_real = self.d.forward(xb)
        fake = self.g.forward(ops.normal((n, self.latent_dim), self.rng))
        p_fake = self.d.forward(fake)
        loss = self.d.compiled_loss()
        lr = loss(ops, ops.ones((n, 1)), p_real)
        lf = loss(ops, ops.zeros((n, 1)), p_fake)
        lg = loss(ops, ops.ones((n, 1)), p_fake)
        return {"d_loss": 0.5 * (ops.item(lr) + ops.item(lf)), "g_loss": ops.item(lg)}

    def named_weights(self) -> dict[str, np.ndarray]:
        return {**self.g.named_weights(), **self.d.named_weights()}

    def get_weights(self) -> list[np.ndarray]:
        return self.g.get_weights() + self.d.get_weights()

    def set_weights(self, weights: list[Any]) -> None:
        k = len(self.g.get_weights())
        self.g.set_weights(weights[:k])
        self.d.set_weights(weights[k:])
