"""``nntui train``: headless training with a Rich progress bar and full run logs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from nntui.engine import events as ev
from nntui.errors import EXIT_DIVERGED, CheckpointError, TrainingDiverged
from nntui.presets import load_preset, spec_from_dict
from nntui.runlog.gradient_watch import GradientMonitor, GradientsChecked
from nntui.runlog.model_state import non_finite_arrays, restore_state, state_arrays


def _spec(args: Any) -> Any:
    overrides = list(args.set)
    if args.epochs is not None:
        overrides.append(f"train.epochs={args.epochs}")
    if args.seed is not None:
        overrides.append(f"train.seed={args.seed}")
    if args.train_backend:
        overrides.append(f"train.backend={args.train_backend!r}")
    if args.resume:
        from nntui.presets import apply_override
        from nntui.runlog.config import read_config

        data = read_config(args.resume)
        for item in overrides:
            apply_override(data, item)
        return spec_from_dict(data)
    return load_preset(args.preset, overrides)


class CheckpointWriter:
    """Subscriber: a checkpoint at every epoch end and at the end of training.

    Divergence never overwrites the last good checkpoint: after a
    ``TrainingDivergedEvent`` nothing more is written, and weights or optimizer
    state holding NaN or inf are never saved. Finding them (the loss of the step
    that broke them was still finite) ends the run as diverged, as the trainer
    does for the loss: a ``TrainingDivergedEvent``, then :class:`TrainingDiverged`.
    """

    def __init__(self, logger: Any, model: Any, trainer_ref: list[Any]) -> None:
        self.logger, self.model, self.trainer_ref = logger, model, trainer_ref
        self.diverged = False
        self.path: Path | None = None
        self.step: int | None = None  # step of the last checkpoint written

    def __call__(self, event: Any) -> None:
        if isinstance(event, ev.TrainingDivergedEvent):
            self.diverged = True
        elif isinstance(event, (ev.EpochCompleted, ev.TrainingFinished)) and not self.diverged:
            t = self.trainer_ref[0]
            arrays = state_arrays(self.model)
            bad = non_finite_arrays(arrays)
            if bad:
                msg = (f"training diverged at step {event.step}: the weights became NaN or "
                       f"infinite ({', '.join(bad[:3])}). Try a lower learning rate "
                       "(e.g. 10x smaller) or gradient clipping.")
                self.diverged = True  # also when this writer is not subscribed itself
                t.emit(ev.TrainingDivergedEvent(event.step, msg))
                raise TrainingDiverged(msg)
            self.path = self.logger.save_checkpoint(
                arrays, step=event.step, epoch=event.epoch,
                rng_state=t.rng.bit_generator.state)
            self.step = event.step


def first_warning_printer(say: Callable[[str], None]) -> Callable[[GradientsChecked], None]:
    """A gradient-monitor sink that prints the run's first warning, once."""
    printed: list[bool] = []

    def sink(checked: GradientsChecked) -> None:
        if checked.warning is not None and not printed:
            printed.append(True)
            say(f"nntui: warning: {checked.warning.message()}")

    return sink


def divergence_message(error: TrainingDiverged, spec: Any, writer: CheckpointWriter,
                       run_dir: Path) -> str:
    """One line: what happened, what to try on this command line, what was kept."""
    what = str(error).split(" Try ", 1)[0].rstrip(".")
    t = spec.train
    clip = (f"a smaller gradient clip (--set train.clipnorm={t.clipnorm / 10:g})" if t.clipnorm
            else "gradient clipping (--set train.clipnorm=1.0)")
    kept = (f"the last good checkpoint (step {writer.step}) is kept in {run_dir}"
            if writer.path is not None else
            "no checkpoint was written (it diverged before the first epoch ended)")
    return (f"{what}. Try a lower learning rate (--set train.learning_rate="
            f"{t.learning_rate / 10:g}) or {clip}; {kept}")


def train_command(args: Any) -> int:
    from nntui.architectures import build_session
    from nntui.commands.progress import ProgressPrinter
    from nntui.runlog import RunLogger
    from nntui.runlog.checkpoint import load_checkpoint

    console = Console(stderr=True)

    def say(text: str) -> None:  # paths must stay on one line to be copied
        console.print(text, soft_wrap=True, highlight=False, markup=False)

    spec = _spec(args)
    # Read before building: a damaged checkpoint is reported before any work.
    ckpt = load_checkpoint(Path(args.resume)) if args.resume else None
    session = build_session(spec, data_dir=args.data_dir)
    if ckpt is not None:
        restore_state(session.model, ckpt.arrays)
        logger = RunLogger(args.resume)
    else:
        logger = RunLogger.create(args.log_dir, spec.name)
    try:
        trainer = session.trainer(on_divergence="raise")
        if ckpt is not None:
            trainer.step, trainer.epoch = ckpt.step, ckpt.epoch
            if ckpt.rng_state:
                try:
                    trainer.rng.bit_generator.state = ckpt.rng_state
                except (TypeError, ValueError, KeyError) as exc:
                    raise CheckpointError(
                        f"checkpoint in {args.resume} has an unusable random state: {exc}"
                    ) from None
    except BaseException:
        logger.close()
        raise
    writer = CheckpointWriter(logger, session.model, [trainer])
    if ckpt is not None:  # the resumed-from checkpoint is the last good one until a new one
        writer.path, writer.step = Path(args.resume) / "checkpoint.npz", ckpt.step
    trainer.subscribe(logger.handle)
    trainer.subscribe(writer)
    trainer.subscribe(GradientMonitor(session.model, first_warning_printer(say)))
    printer = None
    if not args.quiet:
        printer = ProgressPrinter(console)
        trainer.subscribe(printer)
    from nntui.commands.signals import install_stop_handlers
    from nntui.engine.threads import step_threads

    trainer.blas_threads = step_threads()  # chosen from the run's own steps (threads.py)
    status = 0
    try:
        with install_stop_handlers(trainer.stop), _blas_threads(), _quiet_float_warnings():
            trainer.run()
    except TrainingDiverged as e:
        say(f"nntui: error: {divergence_message(e, spec, writer, logger.run_dir)}")
        status = EXIT_DIVERGED
    except BaseException as e:
        # Record how the run ended (best effort: the disk may be what failed, and the
        # original error is the one to report); the logs are closed below either way.
        with contextlib.suppress(CheckpointError):
            logger.handle(ev.TrainingFailed(trainer.step, f"{type(e).__name__}: {e}"))
        raise
    finally:
        if printer is not None and printer.progress is not None:
            printer.progress.stop()
        logger.close()
    if trainer.stopped and status == 0:
        say(f"stopped at step {trainer.step} (epoch {trainer.epoch}); "
            f"resume with: nntui train {spec.name} --resume {logger.run_dir}")
    if status == 0:
        _report(console, say, spec, session, trainer, curves=not args.quiet)
    say(f"logs: {logger.run_dir}")
    if writer.step is None and status == 0 and not trainer.stopped:
        raise CheckpointError(f"no checkpoint was written to {logger.run_dir}")
    return status


def _report(console: Console, say: Callable[[str], None], spec: Any, session: Any,
            trainer: Any, *, curves: bool) -> None:
    """The end of a run: curves, final figures with their meaning, the target's verdict."""
    from nntui.commands.report import final_figures, loss_curves, target_verdict

    hist = trainer.history.history
    epochs = [e + 1 for e in trainer.history.epoch]  # History counts from 0, as Keras's
    chart = loss_curves(hist, epochs) if curves else None
    if chart is not None:
        console.print(chart)
    held_out = None if session.x_val is None else len(session.x_val)
    for line in final_figures(hist, session.model.metric_definitions(), held_out):
        say(line)
    verdict = target_verdict(spec.expect, hist)
    if verdict is not None and not trainer.stopped:
        say(verdict)


def _quiet_float_warnings() -> Any:
    """NaN/overflow is reported once, as divergence, not as a wall of RuntimeWarnings."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def _blas_threads() -> Any:
    """Headless runs keep the BLAS default; see nntui.engine.threads for the measured choice."""
    from nntui.engine.threads import training_threads

    return training_threads(headless=True)
