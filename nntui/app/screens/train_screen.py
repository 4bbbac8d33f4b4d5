"""The live dashboard: one run trained on a worker thread, with the controls.

The run is a :class:`~nntui.app.workers.TrainingRun`; its events reach the shared
:class:`~nntui.app.screens.dashboard_screen.DashboardScreen` through an
:class:`~nntui.app.workers.EventBuffer`. This screen adds what only a live run has:
pause, step, epoch, reset, the learning rate, the pace, the inspector and export.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from nntui.app.catalog import Catalog
from nntui.app.companions import parent_companions
from nntui.app.drawing_control import drawable
from nntui.app.exporting import export_run
from nntui.app.history import RunHistory
from nntui.app.pace import WATCH_PACE, PaceChosen
from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.app.screens.learning_rate_screen import LearningRateScreen
from nntui.app.screens.playground_keys import PLAYGROUND_COMMANDS, PLAYGROUND_KEYS, PlaygroundKeys
from nntui.app.wording import app_advice
from nntui.app.workers import EventBuffer, TrainingRun
from nntui.errors import NntuiError

if TYPE_CHECKING:
    from nntui.architectures.spec import RunSpec
    from nntui.commands.fork import Fork

AFTER_PROBLEM = "  Training stays paused: r starts again, Esc goes back to change the settings."
ACTIVE = ("starting", "running", "paused", "diverged")
"""States in which Esc asks before it ends the run."""


class TrainScreen(PlaygroundKeys, DashboardScreen):
    """The live dashboard of one training run (``spec``), restartable with ``r``.

    Args:
        spec: the validated run spec.
        catalog: builds the run's session.
        runs_dir: parent folder of the run folders.
        tensorboard: also write TensorBoard event files.
        pace: steps a second (0: full speed; None: chosen from the run's length).
        fork: a :class:`~nntui.commands.fork.Fork` to train on from its kept checkpoint
            (its parent's curves are drawn with its own; ``r`` forks again).
    """

    # the footer shows these in this order and cuts at the right edge: at 80 columns the
    # first six (pause, step, inspect, watch, help, quit) fit; every key is in help (?)
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", tooltip="Pause or resume training",
                id="pause"),
        Binding("n", "step", "Step", tooltip="Run exactly one step, then pause", id="step"),
        Binding("i", "inspect", "Inspect", tooltip="Pause and step through one batch, "
                "forward and backward, with the numbers", id="inspect"),
        Binding("w", "full_speed", "Full speed", tooltip="Stop slowing training down for "
                "watching: train as fast as the machine can", id="full-speed"),
        Binding("w", "watch", "Watch", tooltip="Slow training down to a pace you can "
                "watch it learn at", id="watch"),
        *DashboardScreen.KEYS,
        *PLAYGROUND_KEYS,
        Binding("e", "epoch", "Epoch", tooltip="Run to the end of this epoch, then pause",
                id="epoch"),
        Binding("r", "reset", "Reset", tooltip="Rebuild the model and start again",
                id="reset"),
        Binding("x", "export", "Export", tooltip="Checkpoint, config and screenshot into "
                "the run folder", id="export"),
        Binding("plus,equals_sign", "lr_up", "LR×2", key_display="+", show=False,
                tooltip="Double the learning rate", id="lr-up"),
        Binding("minus", "lr_down", "LR÷2", key_display="-", show=False,
                tooltip="Halve the learning rate", id="lr-down"),
        Binding("l", "set_lr", "Set LR", show=False, tooltip="Type a new learning rate",
                id="set-lr"),
        Binding("escape", "back", "Launcher", key_display="esc",
                tooltip="End this run (asks first) and go back to the launcher"),
    ]
    COMMANDS_TABLE = {
        "toggle_pause": ("Pause or resume training", "space"),
        "step": ("Step: train on one batch, then pause", "n"),
        "epoch": ("Epoch: train to the end of this epoch, then pause", "e"),
        "inspect": ("Inspect: step through one batch forward and backward", "i"),
        **PLAYGROUND_COMMANDS,
        "full_speed": ("Full speed: stop slowing training down", "w"),
        "watch": ("Watch: slow training down to watch it learn", "w"),
        "reset": ("Reset: a new model, training from the start", "r"),
        "lr_up": ("Learning rate ×2", "+"),
        "lr_down": ("Learning rate ÷2", "-"),
        "set_lr": ("Learning rate: type a new value", "l"),
        "export": ("Export: checkpoint, config and screenshot", "x"),
        "back": ("Back to the launcher (ends this run)", "esc"),
        **DashboardScreen.COMMANDS_TABLE,
    }

    def __init__(self, spec: RunSpec, catalog: Catalog, runs_dir: str | Path = "runs", *,
                 tensorboard: bool = True, pace: float | None = None,
                 fork: Fork | None = None) -> None:
        super().__init__(getattr(spec, "architecture", ""))
        self.spec, self.catalog, self.runs_dir = spec, catalog, Path(runs_dir)
        self.fork = fork
        self.tensorboard = tensorboard
        self.training: TrainingRun | None = None
        self.buffer = EventBuffer(self)
        self.pace = pace
        """The pace a new run (a reset) starts with: the launcher's, or the last key's."""
        self._pace_keys: tuple[float, bool] = (0.0, True)  # (pace, active) of the footer

    @property
    def trainer(self) -> Any:
        return None if self.training is None else self.training.trainer

    def run_folder(self) -> Path | None:
        return None if self.training is None else self.training.run_dir

    def on_mount(self) -> None:
        super().on_mount()
        self.start_run()


    def drain(self) -> list[object]:
        return self.buffer.drain()

    def frame(self) -> None:
        super().frame()
        keys = (self.history.pace, self.history.state in ACTIVE)
        if keys != self._pace_keys:  # the footer's w: Watch, Full speed, or none once ended
            self._pace_keys = keys
            self.refresh_bindings()

    def after_problem(self) -> str:
        return AFTER_PROBLEM

    def problem_text(self, h: RunHistory) -> str:
        return app_advice(super().problem_text(h))

    def gradient_advice(self, message: str) -> str:
        return app_advice(message)

    # the run ---------------------------------------------------------------------------
    def start_run(self) -> None:
        """Start (or restart) training ``spec`` in a fresh run folder."""
        previous = self.training
        if previous is not None:
            previous.stop()
        self.buffer = EventBuffer(self)  # a new buffer: late events of the old run are dropped
        self.history = RunHistory(backend=getattr(self.spec.train, "backend", "?"))
        if self.pace is not None:
            self.history.apply(PaceChosen(0, self.pace, "launcher"))
        if self.fork is not None:
            self.history.companions = parent_companions(self.fork.point.parent)
        self.training = TrainingRun(self.catalog, self.spec, self.runs_dir, self.buffer,
                                    tensorboard=self.tensorboard, pace=self.pace,
                                    fork=self.fork)
        self.show_history()
        self._train(self.training, previous)

    @work(thread=True, exit_on_error=False, group="trainer", description="training")
    def _train(self, run: TrainingRun, previous: TrainingRun | None) -> None:
        if previous is not None:
            previous.done.wait()
        run.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title="training stopped",
                        severity="error", timeout=15, markup=False)

    def on_unmount(self) -> None:
        if self.training is not None:  # however the app ends, the trainer thread must too
            self.training.stop()

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the run after its current step and wait until its logs are closed."""
        if self.training is not None:
            self.training.stop()
            await asyncio.to_thread(self.training.done.wait, timeout)
        self.frame()

    # controls --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        active = self.history.state in ACTIVE
        if action == "full_speed":  # w: one of the two, whichever applies, while it runs
            return active and bool(self.history.pace)
        if action == "watch":
            return active and not self.history.pace
        if action in ("draw", "draw_options", "draw_save"):  # 2-D points only
            return drawable(self.spec)
        return True

    def _stuck(self) -> bool:
        """True (and says why) when the run diverged: its weights are NaN or inf, so
        stepping on would only repeat it."""
        if self.training is None or self.training.diverged_at is None:
            return False
        self.notify("training diverged; r starts again, Esc changes the settings",
                    severity="warning", timeout=5)
        return True

    def action_toggle_pause(self) -> None:
        if self.trainer is None:
            return
        if self.trainer.paused:
            if not self._stuck():
                self.trainer.resume()
        else:
            self.trainer.pause()

    def action_step(self) -> None:
        if self.trainer is not None and not self._stuck():
            self._pause_quietly()
            self.trainer.step_once()

    def _inspected(self, applied: int) -> None:
        """Back from the inspector: steps it applied changed the model, so the panels get
        a fresh snapshot of it (the trainer waits: nothing races it)."""
        if applied and self.trainer is not None:
            self.trainer.refresh()
            self.notify(f"the inspector applied {applied} step{'s' if applied > 1 else ''}: "
                        "the panels show the model as it is now (the step count does not "
                        "include them)", timeout=6)

    def action_epoch(self) -> None:
        if self.trainer is not None and not self._stuck():
            self._pause_quietly()
            self.trainer.epoch_once()

    def _pause_quietly(self) -> None:
        if not self.trainer.paused:
            self.trainer.pause()

    def action_inspect(self) -> None:
        """Pause, then step through 4 training samples layer by layer (the inspector)."""
        if self.trainer is None:
            return
        from nntui.app.screens.inspector_screen import InspectorScreen

        self._pause_quietly()
        inspector = InspectorScreen.from_trainer(self.trainer)
        self.app.push_screen(inspector, lambda _: self._inspected(inspector.applied_steps))

    def action_reset(self) -> None:
        self.start_run()
        self.notify("reset: a new model trains in a new run folder", timeout=3)

    def action_full_speed(self) -> None:
        self._set_pace(0.0)

    def action_watch(self) -> None:
        """Back to the run's last watch pace (the automatic or launcher's one), else
        WATCH_PACE."""
        self._set_pace(self.history.watch_pace or WATCH_PACE)

    def _set_pace(self, pace: float) -> None:
        self.pace = pace
        if self.training is not None:
            self.training.set_pace(pace)
        self.history.apply(PaceChosen(self.history.step, pace, "key"))
        self.refresh_bindings()
        self.frame()
        self.notify(f"watch pace: {pace:g} steps a second (w: full speed)" if pace
                    else "full speed (w: watch pace)", timeout=3)

    def action_lr_up(self) -> None:
        self._scale_lr(2.0)

    def action_lr_down(self) -> None:
        self._scale_lr(0.5)

    def _scale_lr(self, factor: float) -> None:
        if self.trainer is not None and self.trainer.model.optimizer is not None:
            self.set_learning_rate(self.trainer.model.optimizer.learning_rate * factor)

    def set_learning_rate(self, lr: float | None) -> None:
        if lr is None or self.trainer is None:
            return
        try:
            self.trainer.set_learning_rate(lr)
        except NntuiError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def action_set_lr(self) -> None:
        if self.trainer is not None and self.trainer.model.optimizer is not None:
            current = self.trainer.model.optimizer.learning_rate
            self.app.push_screen(LearningRateScreen(current), self.set_learning_rate)

    def action_export(self) -> None:
        """Checkpoint and screenshot into the run folder (asks before overwriting)."""
        export_run(self, self.training)

    async def action_back(self) -> None:
        """Back to the launcher; a run still going ends only when the learner says so."""
        if self.history.state not in ACTIVE:
            await self._leave()
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._leave()

        run_dir = self.training.run_dir if self.training is not None else None
        where = f" Its logs stay in {run_dir}." if run_dir is not None else ""
        await self.app.push_screen(ConfirmScreen(f"End this run and go back to the "
                                                 f"launcher?{where}", yes="End run"), answered)

    async def _leave(self) -> None:
        await self.shutdown()
        self.dismiss()

    def end_after_crash(self, timeout: float = 10.0) -> None:
        """The app is ending on an error: stop the run after its step in flight (the
        trainer writes the end row), wait for its logs to close, and keep a checkpoint
        of its weights (unless they diverged: then the message says none was written)."""
        run = self.training
        if run is None:
            return
        run.stop()
        run.done.wait(timeout)
        if run.trainer is not None and run.logger is not None:
            run.checkpoint()  # the trainer has ended: written now (or refused if NaN)
