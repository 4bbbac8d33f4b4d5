"""Keras-shaped model namespace: ``from nntui.models import Sequential, load_model``."""

from nntui.engine.loading import load_model
from nntui.engine.model import Input, Sequential
from nntui.engine.saving import save_model

__all__ = ["Input", "Sequential", "load_model", "save_model"]
