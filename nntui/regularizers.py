"""Keras-shaped regularizer namespace: ``nntui.regularizers.L2(0.01)``."""

from nntui.engine.regularizers import L1, L1L2, L2, Regularizer

__all__ = ["L1", "L1L2", "L2", "Regularizer"]
