"""A GAN in the inspector: the generator's step traced layer by layer, and the whole
GAN step (discriminator, then generator) applied and recorded.

One GAN step (:meth:`nntui.engine.gan.GAN.train_step`) is three passes: D on real
samples (target 1), D on G(z) (target 0), one update of D; then G(z) through D
(target 1), the gradient passing through D's frozen layers into G, one update of G.
The inspector walks the last pass, the one that reaches every layer: z → G → D. Its
update stage shows what ``u`` really did: the GAN's own ``train_step`` on training
samples, every parameter of G and D with the gradient its optimizer received.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.engine.trace import StepTrace, UpdateTrace, recorded_update, traced_step

Z_SEED = 0  # the inspector's latent vectors: the same z every time it traces


def is_gan(model: Learner) -> bool:
    """Two parts, a generator and a discriminator (``GAN.parts()``)."""
    parts = getattr(model, "parts", None)
    return parts is not None and [tag for tag, _ in parts()] == ["g", "d"]


class GeneratorStep:
    """G's pass as one stack for :func:`~nntui.engine.trace.traced_step`: G's layers then
    D's, the loss D's binary cross-entropy against 1 (G wants D to answer "real")."""

    def __init__(self, gan: Any) -> None:
        self.gan, self.ops = gan, gan.ops
        self.layers = gan.g.layers + gan.d.layers
        self.loss = gan.d.loss
        self.optimizer = gan.g.optimizer

    def prepare(self, x: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
        return np.asarray(x, np.float32), None if y is None else np.asarray(y, np.float32)

    def compute_loss_and_grad(self, yb: Any, pred: Any) -> tuple[Any, Any, bool]:
        return self.gan.d.compute_loss_and_grad(yb, pred)

    def _fused_head(self) -> Any:
        head = self.gan.d._fused_head()
        return None if head is None else (len(self.gan.g.layers) + head[0], head[1])


def trace_generator_step(gan: Any, n: int) -> StepTrace:
    """z (``n`` latent vectors) → G → D → D(G(z)) against 1, backward into G through
    D's layers frozen (they pass the gradient on and keep no gradient of their own)."""
    z = np.random.default_rng(Z_SEED).standard_normal((n, gan.latent_dim)).astype(np.float32)
    kept = [layer.trainable for layer in gan.d.layers]
    for layer in gan.d.layers:
        layer.trainable = False
    try:
        return traced_step(GeneratorStep(gan), z, np.ones((n, 1), np.float32))
    finally:
        for layer, trainable in zip(gan.d.layers, kept, strict=True):
            layer.trainable = trainable


def apply_gan_step(gan: Any, x: np.ndarray) -> UpdateTrace:
    """The GAN's own training step on the real samples ``x``, recorded: every parameter
    of G and D before and after, the gradient each update used, the optimizers' state."""
    xb = gan.ops.asarray(np.asarray(x, np.float32))
    return recorded_update(gan.layers, gan.optimizers(), lambda: gan.train_step(xb),
                           gan.g.optimizer.get_config())
