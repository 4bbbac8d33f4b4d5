"""``nntui train``: headless training with a Rich progress bar and full run logs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console

from nntui.checkpointing import restore_state, state_arrays
from nntui.engine import events as ev
from nntui.errors import CheckpointError, TrainingDiverged
from nntui.presets import load_preset, spec_from_dict


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

    Divergence never overwrites the last good checkpoint.
    """

    def __init__(self, logger: Any, model: Any, trainer_ref: list[Any]) -> None:
        self.logger, self.model, self.trainer_ref = logger, model, trainer_ref
        self.diverged = False
        self.path: Path | None = None

    def __call__(self, event: Any) -> None:
        if isinstance(event, ev.TrainingDivergedEvent):
            self.diverged = True
        elif isinstance(event, (ev.EpochCompleted, ev.TrainingFinished)) and not self.diverged:
            t = self.trainer_ref[0]
            self.path = self.logger.save_checkpoint(
                state_arrays(self.model), step=event.step, epoch=event.epoch,
                rng_state=t.rng.bit_generator.state)


def train_command(args: Any) -> int:
    from nntui.progress import ProgressPrinter
    from nntui.runlog import RunLogger
    from nntui.runlog.checkpoint import load_checkpoint
    from nntui.session import build_session

    console = Console(stderr=True)

    def say(text: str) -> None:  # paths must stay on one line to be copied
        console.print(text, soft_wrap=True, highlight=False, markup=False)

    spec = _spec(args)
    session = build_session(spec, data_dir=args.data_dir)
    if args.resume:
        logger = RunLogger(args.resume)
        ckpt = load_checkpoint(Path(args.resume))
        restore_state(session.model, ckpt.arrays)
    else:
        logger = RunLogger.create(args.log_dir, spec.name)
        ckpt = None
    trainer = session.trainer(on_divergence="raise")
    if ckpt is not None:
        trainer.step, trainer.epoch = ckpt.step, ckpt.epoch
        if ckpt.rng_state:
            trainer.rng.bit_generator.state = ckpt.rng_state
    writer = CheckpointWriter(logger, session.model, [trainer])
    trainer.subscribe(logger.handle)
    trainer.subscribe(writer)
    if not args.quiet:
        trainer.subscribe(ProgressPrinter(console))
    from nntui.cli import install_stop_handlers

    install_stop_handlers(trainer.stop)
    status = 0
    try:
        with _blas_threads():
            trainer.run()
    except TrainingDiverged as e:
        say(f"nntui: {e}")
        status = 3
    finally:
        logger.close()
    hist = trainer.history.history
    final = {k: v[-1] for k, v in hist.items() if v and math.isfinite(v[-1])}
    if trainer.stopped:
        say(f"stopped at step {trainer.step} (epoch {trainer.epoch}); "
                      f"resume with: nntui train {spec.name} --resume {logger.run_dir}")
    say("final: " + "  ".join(f"{k}={v:.4f}" for k, v in final.items()))
    say(f"logs: {logger.run_dir}")
    if writer.path is None and status == 0 and not trainer.stopped:
        raise CheckpointError(f"no checkpoint was written to {logger.run_dir}")
    return status


def _blas_threads() -> Any:
    """Headless runs keep the BLAS default; see nntui.threads for the measured choice."""
    from nntui.threads import training_threads

    return training_threads(headless=True)
