"""Callbacks that watch one logged quantity: ``EarlyStopping`` and ``ReduceLROnPlateau``
(Keras 3's arguments, defaults and rules; ``ModelCheckpoint`` builds on the same base)."""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from nntui.engine.callbacks.base import Callback, Logs
from nntui.errors import ConfigError

_UP = ("acc", "auc", "precision", "recall", "f1")  # metrics that improve upwards


class MonitorCallback(Callback):
    """Shared rule: an improvement is ``current − min_delta > best`` (mode max) or
    ``current + min_delta < best`` (mode min); ``mode="auto"`` reads the direction from
    the name (losses and errors fall, accuracies rise).

    Raises:
        ConfigError: ``mode="auto"`` on a name whose direction is unknown.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: float | None = None,
                 min_delta: float = 0.0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode {mode!r} is unknown, fallback to auto "
                          "mode.", stacklevel=2)
            mode = "auto"
        self.monitor, self.mode = monitor, mode
        self.best: float | None = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], bool] | None = None
        self._resumed: tuple[dict[str, Any], list[np.ndarray]] | None = None

    STATE: tuple[str, ...] = ("best", "wait")
    """What the callback remembers between epochs (a checkpoint keeps it)."""

    def state(self) -> dict[str, Any]:
        """What it remembers between epochs, as JSON numbers."""
        return {key: getattr(self, key) for key in self.STATE}

    def kept_weights(self) -> list[np.ndarray]:
        """Weights it keeps (EarlyStopping's best), for a checkpoint."""
        return []

    def resume(self, state: dict[str, Any], weights: list[np.ndarray]) -> None:
        """Go on from a checkpoint's ``state`` and ``weights`` once training (re)starts
        (``on_train_begin`` would otherwise forget them)."""
        self._resumed = (dict(state), list(weights))

    def _take_resumed(self) -> None:
        if self._resumed is None:
            return
        state, weights = self._resumed
        self._resumed = None
        for key in self.STATE:
            if key in state:
                setattr(self, key, state[key])
        self._set_kept_weights(weights)

    def _set_kept_weights(self, weights: list[np.ndarray]) -> None:
        """Nothing kept here (EarlyStopping keeps its best weights)."""

    def _set_monitor_op(self) -> None:
        name = self.monitor.removeprefix("val_")
        mode = self.mode
        if mode == "auto":
            if name == "loss" or name in ("mse", "mae", "mean_squared_error",
                                          "mean_absolute_error"):
                mode = "min"
            elif any(part in name for part in _UP):
                mode = "max"
            else:
                raise ConfigError(
                    f"{type(self).__name__} callback received monitor={self.monitor!r}, but "
                    "nntui cannot tell whether that metric should be maximized or minimized. "
                    "Pass mode='max' or mode='min'.")
        self.monitor_op = operator.lt if mode == "min" else operator.gt
        if mode == "min":
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(current - self.min_delta, reference))  # type: ignore[misc]

    def _monitored(self, logs: Logs | None, what: str) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
        return value


class EarlyStopping(MonitorCallback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: a key of the epoch logs (``"val_loss"``, ``"loss"``, ``"val_accuracy"``).
        min_delta: smaller changes do not count as improvement.
        patience: epochs without improvement before stopping.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: the value to beat; epochs that do not beat it count as no improvement.
        restore_best_weights: at the end, set the weights of the best epoch.
        start_from_epoch: epochs to wait before watching at all.

    Example:
        >>> EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights: list[Any] | None = None

    STATE = ("best", "wait", "stopped_epoch", "best_epoch")

    def kept_weights(self) -> list[np.ndarray]:
        return [np.asarray(w) for w in self.best_weights or []]

    def _set_kept_weights(self, weights: list[np.ndarray]) -> None:
        self.best_weights = [w.copy() for w in weights] or None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best, self.best_weights = None, None
        self._take_resumed()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self._monitored(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs; then wait ``cooldown`` epochs; never below ``min_lr``.

    Raises:
        ConfigError: ``factor >= 1``.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs: Any) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ConfigError("ReduceLROnPlateau does not support a factor >= 1.0. "
                              f"Received: factor={factor!r}")
        self.factor, self.min_lr, self.patience = factor, min_lr, patience
        self.verbose, self.cooldown = verbose, cooldown
        self.cooldown_counter = self.wait = 0

    STATE = ("best", "wait", "cooldown_counter")

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.best, self.cooldown_counter, self.wait = None, 0, 0
        self._take_resumed()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self._monitored(logs, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> bool:
        opt = self.model.optimizer
        old = float(opt.learning_rate)
        if old <= self.min_lr:
            return False
        new = max(old * self.factor, self.min_lr)
        opt.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
        return True
