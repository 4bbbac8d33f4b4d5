"""Callbacks that write files: ``ModelCheckpoint`` and ``CSVLogger`` (Keras 3's arguments).

Saved models are nntui's own format (a ``.npz`` archive with the architecture as JSON,
see ``saving.py``), whatever the file's suffix: a course's ``"best.keras"`` works, and
``nntui.models.load_model`` reads it back; Keras itself cannot.
"""

from __future__ import annotations

import csv
import os
from typing import IO, Any

from nntui.engine.callbacks.base import Callback, Logs
from nntui.engine.callbacks.monitor import MonitorCallback
from nntui.errors import ConfigError


class ModelCheckpoint(MonitorCallback):
    """Save the model (or only its weights) every epoch, or every ``save_freq`` batches.

    Args:
        filepath: where to save; may hold ``{epoch}`` and log keys, e.g.
            ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
        monitor / mode: the quantity ``save_best_only`` compares.
        save_best_only: save only when ``monitor`` improved.
        save_weights_only: write the weights only (``model.load_weights`` reads them).
        save_freq: ``"epoch"`` or a number of batches.
        initial_value_threshold: the value to beat first.

    Raises:
        ConfigError: ``save_freq`` is neither ``"epoch"`` nor an integer.
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq <= 0):
            raise ConfigError(f"save_freq must be 'epoch' or a positive number of batches. "
                              f"Received: save_freq={save_freq!r}")
        self.filepath = os.fspath(filepath)
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only, self.save_freq = save_weights_only, save_freq
        self._batches = 0
        self._epoch = 0

    STATE = ("best",)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._take_resumed()

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches >= self.save_freq:  # type: ignore[operator]
            self._batches = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        logs = logs or {}
        keys = {"epoch": epoch + 1, **logs} if batch is None else \
            {"epoch": epoch + 1, "batch": batch + 1, **logs}
        try:
            path = self.filepath.format(**keys)
        except KeyError as exc:
            raise ConfigError(f"Failed to format this callback filepath: {self.filepath!r}. "
                              f"Reason: no log entry {exc}") from exc
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def _should_save(self, epoch: int, logs: Logs, path: str) -> bool:
        if not self.save_best_only:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        current = logs.get(self.monitor)
        if current is None:
            return True  # Keras saves (and warns) when the quantity is missing
        if not self._is_improvement(current, self.best):
            return False
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} improved to {current:.5f}, "
                  f"saving model to {path}")
        self.best = current
        return True


class CSVLogger(Callback):
    """Write one row per epoch: ``epoch`` (from 0) and every log key, sorted, as Keras does.

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: append to an existing file (its header is kept).
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys: list[str] | None = None
        self._file: IO[str] | None = None
        self._writer: Any = None
        self._header = True

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self._header = not f.readline()
        self.close()
        self._file = open(self.filename, "a" if self.append else "w", newline="",  # noqa: SIM115
                          encoding="utf-8")
        self._writer, self.keys = None, None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self._writer is None and self._file is not None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys],
                                          delimiter=self.sep)
            if self._header:
                self._writer.writeheader()
        if self._writer is not None and self._file is not None:
            self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
            self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        self._writer = None
