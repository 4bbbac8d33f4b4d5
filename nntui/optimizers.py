"""Keras-shaped optimizer namespace: ``nntui.optimizers.Adam(learning_rate=1e-3)``."""

from nntui.engine.optimizers import SGD, Adam, Optimizer, RMSprop, get_optimizer

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get_optimizer"]
