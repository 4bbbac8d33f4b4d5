"""A run's checkpoint: written whole (model, optimizer, position, random states) and
read back into a fresh session so the run goes on as if it had never stopped.

:class:`CheckpointWriter` is the one writer, for ``nntui train`` and the app alike: a
checkpoint at every epoch end and at the end of training (and on demand), never one
of a diverged state, each announced with a :class:`~nntui.engine.events.CheckpointSaved`.

Example:
    >>> writer = CheckpointWriter(logger, trainer)     # doctest: +SKIP
    >>> trainer.subscribe(logger.handle); trainer.subscribe(writer)
    >>> restore_run(trainer, load_checkpoint(run_dir))  # on resume, before run()
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nntui.engine import events as ev
from nntui.engine.surgery import ACTIONS, Surgery
from nntui.engine.trainer import Position, Trainer
from nntui.errors import CheckpointError, ConfigError, TrainingDiverged
from nntui.runlog.checkpoint import ORDER_KEY, Checkpoint, save_checkpoint
from nntui.runlog.config import write_config
from nntui.runlog.model_state import (
    generator_states,
    non_finite_arrays,
    restore_generators,
    restore_state,
    state_arrays,
)
from nntui.runlog.rows import change_row
from nntui.runlog.train_state import (
    callback_states,
    config_learning_rate,
    learning_rates,
    new_learning_rate,
    restore_callbacks,
    restore_learning_rates,
)


def save_run_checkpoint(run_dir: Path, trainer: Trainer,
                        changes: list[dict[str, Any]] | None = None,
                        extra: Mapping[str, Any] | None = None,
                        live: list[dict[str, Any]] | None = None) -> Path:
    """Write the whole state of a run that is between two steps (``extra``: what the
    model needs beside its weights, e.g. a GPT's tokenizer; ``live``: the changes made
    while it learned, as change rows).

    Raises:
        TrainingDiverged: the weights or optimizer state hold NaN or inf (not written).
        CheckpointError: the file cannot be written (the previous one is kept).
    """
    model, pos = trainer.model, trainer.position()
    arrays = state_arrays(model)
    bad = non_finite_arrays(arrays)
    if bad:
        raise TrainingDiverged(
            f"training diverged at step {pos.step}: the weights became NaN or infinite "
            f"({', '.join(bad[:3])}). Try a lower learning rate (e.g. 10x smaller) or "
            "gradient clipping.")
    if pos.order is not None:
        arrays[ORDER_KEY] = pos.order
    callbacks, kept = callback_states(trainer)
    arrays.update(kept)
    optimizers = model.optimizers()
    return save_checkpoint(
        run_dir, arrays, step=pos.step, epoch=pos.epoch,
        optimizer_step=optimizers[0].iterations if optimizers else pos.step,
        rng_state=trainer.rng.bit_generator.state,
        position={"batch": pos.batch, "seen": pos.seen, "sums": pos.sums,
                  "elapsed": pos.elapsed},
        generators=generator_states(model, trainer), changes=changes, extra=extra, live=live,
        callbacks=callbacks, learning_rates=learning_rates(model),
        config_learning_rate=config_learning_rate(trainer))


def restore_run(trainer: Trainer, ckpt: Checkpoint) -> None:
    """Put a fresh trainer (and its model) where the checkpoint's run was: the changes
    made while it learned (learning rate, frozen layers, switched-off units, dropout, L2)
    made again, then its weights, optimizer state, learning rate, position, random states
    and the watching callbacks' state (EarlyStopping's patience count ...) loaded.

    When the trainer's config sets another learning rate than the checkpoint's run had
    (a resume or fork with ``train.learning_rate`` changed), that one holds: the rate
    the run had reached, and its live changes of it, are not carried over.

    Raises:
        CheckpointError: the checkpoint does not fit this model or this data.
    """
    for row in live_changes(ckpt, trainer):
        _make_again(trainer, row)
    restore_callbacks(trainer, ckpt.callbacks, ckpt.arrays)
    restore_state(trainer.model, ckpt.arrays)
    if not new_learning_rate(trainer, ckpt.config_learning_rate):
        restore_learning_rates(trainer.model, ckpt.learning_rates)
    restore_generators(trainer.model, trainer, ckpt.generators)
    if ckpt.rng_state and "trainer" not in ckpt.generators:  # written before generators
        restore_generators(trainer.model, trainer, {"trainer": ckpt.rng_state})
    try:
        trainer.restore(Position(ckpt.step, ckpt.epoch, ckpt.batch, ckpt.seen,
                                 ckpt.arrays.get(ORDER_KEY), dict(ckpt.sums), ckpt.elapsed))
    except ConfigError as exc:
        raise CheckpointError(f"the checkpoint does not fit this run: {exc}") from None


def live_changes(ckpt: Checkpoint, trainer: Trainer) -> list[dict[str, Any]]:
    """The checkpoint's live changes ``trainer`` keeps (without its learning-rate changes
    when the trainer's config sets another learning rate)."""
    new_lr = new_learning_rate(trainer, ckpt.config_learning_rate)
    return [row for row in ckpt.live
            if not (new_lr and row.get("action") == "learning_rate")]


def redrawn_note(ckpt: Checkpoint) -> str:
    """What a restored run cannot take back: training data redrawn in the app ("" if none)."""
    steps = [int(row.get("step", 0)) for row in ckpt.live if row.get("action") == "data"]
    if not steps:
        return ""
    return (f"; the training data redrawn in the app at step {steps[-1]} is not in the "
            "checkpoint, so this run trains on its config's data")


def _make_again(trainer: Trainer, row: Mapping[str, Any]) -> None:
    """One live change made again on a fresh model (redrawn data is not: the drawn
    points are not in the checkpoint; the resume says so)."""
    action = str(row.get("action", ""))
    try:
        if action == "learning_rate" and trainer.model.optimizer is not None:
            trainer.model.optimizer.learning_rate = float(row["value"])
        elif action in ACTIONS:
            Surgery(action, str(row.get("layer", "")), int(row.get("unit", -1)),
                    float(row.get("value", 0.0)), int(row.get("seed", 0))).apply(trainer.model)
    except (ConfigError, KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"the checkpoint's change {row.get('text') or action!r} "
                              f"cannot be made again on this model: {exc}") from None


class CheckpointWriter:
    """Subscriber: a checkpoint at every epoch end and at the end of training.

    Divergence never overwrites the last good checkpoint: after a
    ``TrainingDivergedEvent`` nothing more is written, and weights or optimizer state
    holding NaN or inf are never saved. Finding them (the loss of the step that broke
    them was still finite) is divergence, handled as the trainer handles it: a
    ``TrainingDivergedEvent``, then :class:`TrainingDiverged` (``on_divergence="raise"``)
    or a pause (the app).

    Args:
        logger: the run's :class:`~nntui.runlog.RunLogger` (gives the folder).
        trainer: the trainer it checkpoints.
        config: a config to write to ``config.toml`` with the first checkpoint (a resume
            with changes: they take effect only once a checkpoint holds them).
        changes: the run's config changes so far, carried in every checkpoint.
        extra: what the model needs beside its weights (a GPT's tokenizer), in every
            checkpoint.
        live: the live changes of the checkpoint the run was restored from (see
            :func:`live_changes`); the ones made from now on are added as they come.
    """

    def __init__(self, logger: Any, trainer: Trainer, *, config: Mapping[str, Any] | None = None,
                 changes: list[dict[str, Any]] | None = None,
                 extra: Mapping[str, Any] | None = None,
                 live: list[dict[str, Any]] | None = None) -> None:
        self.logger, self.trainer = logger, trainer
        self.extra = extra
        self.diverged = False
        self.path: Path | None = None
        self.step: int | None = None  # step of the last checkpoint written
        self._config = None if config is None else dict(config)
        self._changes = list(changes or [])
        self._live = list(live or [])

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.ModelChanged):
            self._live.append(change_row(event))
        elif isinstance(event, ev.TrainingDivergedEvent):
            self.diverged = True
        elif isinstance(event, ev.EpochCompleted | ev.TrainingFinished) and not self.diverged:
            try:
                self.save()
            except TrainingDiverged as exc:
                self.diverged = True
                self.trainer.emit(ev.TrainingDivergedEvent(event.step, str(exc)))
                if self.trainer.on_divergence == "raise":
                    raise
                self.trainer.pause()

    def save(self) -> Path:
        """Checkpoint now (the trainer must be between steps: a subscriber, or paused).

        Raises:
            TrainingDiverged: the run diverged, or its state holds NaN or inf.
            CheckpointError: the file cannot be written (the previous one is kept).
        """
        if self.diverged:
            raise TrainingDiverged(
                "no checkpoint written: training diverged, so the weights are not worth "
                f"keeping; the last good checkpoint is step {self.step}" if self.step
                is not None else "no checkpoint written: training diverged")
        self.path = save_run_checkpoint(self.logger.run_dir, self.trainer, self._changes,
                                        self.extra, self._live)
        self.step = self.trainer.step
        keep = getattr(self.logger, "keep_checkpoint", None)
        if keep is not None:  # a copy in checkpoints/: forks and the inspector start there
            keep(self.path, self.step, self.trainer.epoch)
        if self._config is not None:  # the resumed run's changes now hold
            config, self._config = self._config, None
            write_config(self.logger.run_dir, config)
        self.trainer.emit(ev.CheckpointSaved(self.step, str(self.path)))
        return self.path
