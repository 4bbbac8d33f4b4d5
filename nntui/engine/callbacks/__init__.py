"""Keras-shaped training callbacks: ``model.fit(..., callbacks=[EarlyStopping(...)])``."""

from nntui.engine.callbacks.base import (
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    LearningRateScheduler,
    TerminateOnNaN,
)
from nntui.engine.callbacks.files import CSVLogger, ModelCheckpoint
from nntui.engine.callbacks.monitor import EarlyStopping, MonitorCallback, ReduceLROnPlateau

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback",
           "ReduceLROnPlateau", "TerminateOnNaN"]
