"""``nntui train``: headless training with a Rich progress bar and full run logs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console

from nntui.engine import events as ev
from nntui.errors import (
    EXIT_DIVERGED,
    EXIT_INTERRUPTED,
    CheckpointError,
    ConfigError,
    TrainingDiverged,
)
from nntui.presets import load_preset
from nntui.runlog.gradient_watch import GradientMonitor, GradientsChecked
from nntui.runlog.run_checkpoint import (
    CheckpointWriter,
    live_changes,
    redrawn_note,
    restore_run,
)

if TYPE_CHECKING:
    from nntui.architectures.base import Session
    from nntui.architectures.spec import RunSpec
    from nntui.engine.trainer import Trainer
    from nntui.runlog import RunLogger

HEADLESS_SNAPSHOT_SECONDS = 1.0
"""Seconds between two snapshots of a headless run at least: enough to watch it with
``nntui replay --follow`` and travel through it later, at a small cost to training."""


def _overrides(args: Any) -> list[str]:
    overrides = list(args.set)
    if args.epochs is not None:
        overrides.append(f"train.epochs={args.epochs}")
    if args.seed is not None:
        overrides.append(f"train.seed={args.seed}")
    if args.train_backend:
        overrides.append(f"train.backend={args.train_backend!r}")
    return overrides


def first_warning_printer(say: Callable[[str], None]) -> Callable[[GradientsChecked], None]:
    """A gradient-monitor sink that prints the run's first warning, once."""
    printed: list[bool] = []

    def sink(checked: GradientsChecked) -> None:
        if checked.warning is not None and not printed:
            printed.append(True)
            say(f"nntui: warning: {checked.warning.message()}")

    return sink


def divergence_message(error: TrainingDiverged, spec: RunSpec, writer: CheckpointWriter,
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


def resume_hint(writer: CheckpointWriter, run_dir: Path) -> str:
    """Where the logs are and how to go on from the last checkpoint (if there is one)."""
    if writer.step is None:
        return f"the logs are kept in {run_dir} (no checkpoint was written, so start again)"
    return (f"the logs are kept in {run_dir}; resume with: nntui train --resume {run_dir} "
            f"(from the checkpoint at step {writer.step})")


@dataclass
class _Run:
    """What one ``nntui train`` built: the pieces its ending needs."""

    spec: RunSpec
    session: Session
    trainer: Trainer
    logger: RunLogger
    writer: CheckpointWriter


def _start(args: Any, say: Callable[[str], None]) -> _Run:
    """Build the session and open the run folder (fresh, or resumed from its checkpoint)."""
    from nntui.architectures import build_session
    from nntui.runlog import RunLogger

    if args.fork and args.resume:
        raise ConfigError("--fork and --resume cannot be used together: --resume goes on in "
                          "the same folder, --fork starts a new one")
    if not args.budget >= 0:
        raise ConfigError(f"--budget must be a number of MB >= 0 (0: no limit). "
                          f"Received: --budget {args.budget}")
    kept = {"snapshots": not args.no_snapshots, "budget_mb": args.budget}
    if args.fork:
        return _start_fork(args, say, kept)
    if not args.resume:
        if not args.preset:
            raise ConfigError("nntui train needs a preset name or TOML config (see `nntui "
                              "list`), or --resume RUN_DIR / --fork RUN_DIR")
        spec = load_preset(args.preset, _overrides(args))
        session = build_session(spec, data_dir=args.data_dir)
        trainer = _trainer(session, args)
        logger = RunLogger.create(args.log_dir, spec.name, **kept)
        writer = CheckpointWriter(logger, trainer, extra=session.info.get("checkpoint_extra"))
        return _Run(spec, session, trainer, logger, writer)
    from nntui.commands.resume import OPTIMIZER_KEYS, prepare_resume

    r = prepare_resume(args.resume, _overrides(args))  # locked until the logger closes
    try:
        session = build_session(r.spec, data_dir=args.data_dir)
        trainer = _trainer(session, args)
        restore_run(trainer, r.checkpoint)  # checked whole before the logs are touched
        r.check_epochs()
        logger = RunLogger(r.run_dir, resume_step=r.checkpoint.step, changes=r.changes,
                           lock=r.lock, **kept)
    except BaseException:
        r.lock.release()
        raise
    writer = CheckpointWriter(logger, trainer, changes=r.history(),
                              config=r.spec.to_dict() if r.changes else None,
                              extra=session.info.get("checkpoint_extra"),
                              live=live_changes(r.checkpoint, trainer))
    writer.path, writer.step = r.run_dir / "checkpoint.npz", r.checkpoint.step
    cut = f"; {logger.rows_cut} rows logged after it are replaced" if logger.rows_cut else ""
    fresh = "; the optimizer changed, so its state starts afresh" if (
        OPTIMIZER_KEYS & set(r.changes)) else ""
    say(f"resuming {r.run_dir} from step {r.checkpoint.step} ({_where(trainer)}){cut}{fresh}"
        f"{redrawn_note(r.checkpoint)}")
    return _Run(r.spec, session, trainer, logger, writer)


def _trainer(session: Session, args: Any) -> Trainer:
    """The session's trainer, snapshotting at most every HEADLESS_SNAPSHOT_SECONDS, also
    with ``--no-snapshots`` (then they feed only TensorBoard's histograms, which were
    computed every ``snapshot_every`` steps, unthrottled: ~100 a second for a small
    model)."""
    trainer = session.trainer(on_divergence="raise")
    trainer.snapshot_interval = HEADLESS_SNAPSHOT_SECONDS
    return trainer


def _start_fork(args: Any, say: Callable[[str], None], kept: dict[str, Any]) -> _Run:
    """A new run folder continuing another run from one of its kept checkpoints."""
    from nntui.architectures import build_session
    from nntui.commands.fork import prepare_fork
    from nntui.runlog import RunLogger
    from nntui.runlog.fork import write_fork_record

    f = prepare_fork(args.fork, _overrides(args))
    session = build_session(f.spec, data_dir=args.data_dir)
    trainer = _trainer(session, args)
    restore_run(trainer, f.checkpoint)  # checked whole before a folder is made
    logger = RunLogger.create(args.log_dir, f.name, **kept)
    write_fork_record(logger.run_dir, f.point, f.changes)
    changed = ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in f.changes.items()) or "nothing"
    say(f"forking {f.point.parent} at step {f.point.step} ({_where(trainer)}); "
        f"changed: {changed}")
    return _Run(f.spec, session, trainer, logger,
                CheckpointWriter(logger, trainer, changes=f.history(),
                                 live=live_changes(f.checkpoint, trainer)))


def _where(trainer: Trainer) -> str:
    if trainer.batch:
        return f"epoch {trainer.epoch}, after batch {trainer.batch} of {trainer.steps_per_epoch}"
    return f"after epoch {trainer.epoch}"


def train_command(args: Any) -> int:
    from nntui.commands.progress import ProgressPrinter
    from nntui.commands.signals import install_stop_handlers

    console = Console(stderr=True)

    def say(text: str) -> None:  # paths must stay on one line to be copied
        console.print(text, soft_wrap=True, highlight=False, markup=False)

    run = _start(args, say)
    trainer, logger = run.trainer, run.logger
    trainer.subscribe(logger.handle)
    trainer.subscribe(run.writer)
    printed = first_warning_printer(say)

    def gradients(checked: GradientsChecked) -> None:  # logged for replay, and said once
        logger.handle(checked)
        printed(checked)

    trainer.subscribe(GradientMonitor(run.session.model, gradients))
    printer = None if args.quiet else ProgressPrinter(console)
    if printer is not None:
        trainer.subscribe(printer)
    from nntui.engine.threads import step_threads

    trainer.blas_threads = step_threads()  # chosen from the run's own steps (threads.py)
    # the handlers stay until the command returns: a late Ctrl+C never kills it mid-report
    with install_stop_handlers(trainer.stop) as signals:
        status = _train(run, printer, signals, say)
        if status == EXIT_INTERRUPTED:
            return status
        try:
            if trainer.stopped and status == 0:
                say(f"stopped at step {trainer.step} ({_where(trainer)}); "
                    f"resume with: nntui train --resume {logger.run_dir}")
            if status == 0:
                _report(console, say, run.spec, run.session, trainer, curves=not args.quiet)
        except KeyboardInterrupt:  # a second Ctrl+C after training: the logs are closed
            status = EXIT_INTERRUPTED
        say(f"logs: {logger.run_dir}")
    if run.writer.step is None and status == 0 and not trainer.stopped:
        raise CheckpointError(f"no checkpoint was written to {logger.run_dir}")
    return status


def _train(run: _Run, printer: Any, signals: Any, say: Callable[[str], None]) -> int:
    """Train; close the logs however it ends. The exit status, or raises a one-line error."""
    trainer, logger = run.trainer, run.logger
    failure: BaseException | None = None
    status = 0
    try:
        with _blas_threads(), _quiet_float_warnings():
            trainer.run()
    except TrainingDiverged as e:
        say(f"nntui: error: {divergence_message(e, run.spec, run.writer, logger.run_dir)}")
        status = EXIT_DIVERGED
    except KeyboardInterrupt:  # a second Ctrl+C: the step in flight is abandoned
        _record_end(logger, trainer.step, "interrupted: stopped at once by a second signal")
        status = EXIT_INTERRUPTED
    except BaseException as e:
        # Record how the run ended (best effort: the disk may be what failed, and the
        # original error is the one to report); the logs are closed below either way.
        failure = e
        _record_end(logger, trainer.step, f"{type(e).__name__}: {e}")
    finally:
        signals.shielded = True  # closing the logs is not cut short by another Ctrl+C
        if printer is not None and printer.progress is not None:
            printer.progress.stop()
        try:
            logger.close()
        except CheckpointError as e:
            failure = failure or e
        signals.shielded = False
    if status == EXIT_INTERRUPTED:
        say(f"nntui: interrupted at step {trainer.step}; "
            f"{resume_hint(run.writer, logger.run_dir)}")
    elif isinstance(failure, CheckpointError):  # a full disk, a removed folder: one line
        raise CheckpointError(f"{failure}; {resume_hint(run.writer, logger.run_dir)}"
                              ) from None
    elif failure is not None:
        raise failure
    return status


def _record_end(logger: Any, step: int, message: str) -> None:
    with contextlib.suppress(CheckpointError):
        logger.handle(ev.TrainingFailed(step, message))


def _report(console: Console, say: Callable[[str], None], spec: RunSpec, session: Session,
            trainer: Trainer, *, curves: bool) -> None:
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
