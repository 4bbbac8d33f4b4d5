"""Keras-shaped optimizer namespace: ``nntui.optimizers.Adam(learning_rate=1e-3)``,
and ``nntui.optimizers.schedules.ExponentialDecay(...)`` as Keras spells it."""

from nntui.engine.optimizers import SGD, Adam, Optimizer, RMSprop, get_optimizer
from nntui.optimizers import schedules

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get_optimizer", "schedules"]
