"""The dashboard: curves, histograms, gradient norms, layer statistics, and controls.

A live run trains on a worker thread (:class:`~nntui.app.workers.TrainingRun`); a
replay follows a run folder's ``metrics.jsonl`` (:mod:`nntui.app.screens.replay`).
Both feed one :class:`~nntui.app.history.RunHistory`; a frame timer at
:data:`FPS` drains the events and redraws only the panels whose data changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

import nntui.app.panels  # noqa: F401 - registers the architecture panels (#arch-panel)
from nntui.app.catalog import Catalog
from nntui.app.history import RunHistory
from nntui.app.messages import EventsArrived
from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.screens.learning_rate_screen import LearningRateScreen
from nntui.app.widgets.activation_table import ActivationTable
from nntui.app.widgets.arch_panel import ArchPanel, panel_for
from nntui.app.widgets.curves import CurvesPanel
from nntui.app.widgets.grad_norms import GradNormPanel
from nntui.app.widgets.histograms import HistogramPanel
from nntui.app.widgets.panel import Panel
from nntui.app.widgets.status_line import StatusLine
from nntui.app.workers import EventBuffer, TrainingRun
from nntui.errors import NntuiError

FPS = 2  # status line and event draining; panels redraw at most once a second
AFTER_PROBLEM = "  Training stays paused: r starts again, Esc goes back to change the settings."
EXPORT_TIMEOUT = 10.0  # seconds to wait for the trainer to reach the end of a step
CONTROLS = {"toggle_pause", "step", "epoch", "reset", "lr_up", "lr_down", "set_lr", "export",
            "inspect", "watch"}
WATCH_PACE = 20.0
"""Steps a second with the watch pace on (``w``): slow enough to see a small net learn."""


class TrainScreen(Screen[None]):
    """The live dashboard of one training run (``spec``), restartable with ``r``."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", tooltip="Pause or resume training", id="pause"),
        Binding("n", "step", "Step", tooltip="Run exactly one step, then pause", id="step"),
        Binding("e", "epoch", "Epoch", tooltip="Run to the end of this epoch", id="epoch"),
        Binding("r", "reset", "Reset", tooltip="Rebuild the model and start again", id="reset"),
        Binding("plus,equals_sign", "lr_up", "LR×2", key_display="+", id="lr-up"),
        Binding("minus", "lr_down", "LR÷2", key_display="-", id="lr-down"),
        Binding("l", "set_lr", "Set LR", tooltip="Type a new learning rate", id="set-lr"),
        Binding("w", "watch", "Watch", tooltip=f"Slow training to {WATCH_PACE:g} steps a "
                "second to watch it learn, or back to full speed", id="watch"),
        Binding("left_square_bracket", "layer(-1)", "◀ layer", key_display="[", show=False),
        Binding("right_square_bracket", "layer(1)", "layer ▶", key_display="]", show=False),
        Binding("x", "export", "Export", tooltip="Checkpoint, config and screenshot", id="export"),
        Binding("i", "inspect", "Inspect", tooltip="Pause and step through one batch, "
                "forward and backward, with the numbers", id="inspect"),
        Binding("question_mark", "app.help", "Help", key_display="?", id="help"),
        Binding("escape", "back", "Launcher", tooltip="Stop this run, back to the launcher"),
        Binding("q", "app.quit", "Quit", tooltip="Stop after this step, close the logs, quit"),
    ]

    def __init__(self, spec: Any = None, catalog: Catalog | None = None,
                 runs_dir: str | Path = "runs", *, tensorboard: bool = True) -> None:
        super().__init__()
        self.spec, self.catalog, self.runs_dir = spec, catalog, Path(runs_dir)
        self.tensorboard = tensorboard
        self.history = RunHistory()
        self.training: TrainingRun | None = None
        self.buffer = EventBuffer(self)
        self._timer: Timer | None = None
        self._status_version: object = None
        self._panels: tuple[Panel, ...] = ()
        self._alerted = ""  # the problem the alert line shows ("" none)
        self.pace = 0.0  # the watch pace (w), kept across resets

    @property
    def live(self) -> bool:
        return self.catalog is not None

    @property
    def trainer(self) -> Any:
        return None if self.training is None else self.training.trainer

    # layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static(id="alert")
        with Container(id="dashboard"):
            yield CurvesPanel("loss and metrics", id="curves")
            yield HistogramPanel("weights and gradients", id="histograms")
            yield GradNormPanel("gradient norm per layer over steps (log)", id="grad-norms")
            architecture = getattr(self.spec, "architecture", "")
            yield panel_for(architecture)(architecture)
            yield ActivationTable(id="layer-table")
        yield Footer()

    @property
    def arch_panel(self) -> ArchPanel:
        return self.query_one("#arch-panel", ArchPanel)

    @property
    def histogram_panel(self) -> HistogramPanel:
        return self.query_one("#histograms", HistogramPanel)

    @property
    def layer_table(self) -> ActivationTable:
        return self.query_one("#layer-table", ActivationTable)

    def on_mount(self) -> None:
        self._panels = tuple(self.query(Panel))  # fixed at compose; no DOM query per frame
        self._show_history()
        self._timer = self.set_interval(1 / FPS, self.frame)
        if self.live:
            self.start_run()

    def _show_history(self) -> None:
        for panel in self.query(Panel):
            panel.show(self.history)
        self.layer_table.reset()
        self.frame()

    # events and frames -----------------------------------------------------------------
    def feed(self, events: Iterable[Any]) -> None:
        """Fold events into the history (the frame timer draws them)."""
        for event in events:
            self.history.apply(event)

    def frame(self) -> None:
        """Drain the buffer and redraw what changed."""
        self.feed(self.buffer.drain())
        h = self.history
        if h.status_version != self._status_version:
            self._status_version = h.status_version
            self.query_one(StatusLine).show(h)
        for panel in self._panels:
            panel.tick()
        self.layer_table.show(h)
        self._show_alerts(h)

    def _show_alerts(self, h: RunHistory) -> None:
        """A failed or diverged run: a line under the status saying what happened and what
        to try, and a notification; the first exploding-gradient warning: a notification."""
        problem = h.message if h.state in ("failed", "diverged") else ""
        if problem != self._alerted:
            self._alerted = problem
            alert = self.query_one("#alert", Static)
            alert.display = bool(problem)
            if problem:
                sentence = problem if problem.rstrip().endswith((".", "!", "?")) else \
                    problem.rstrip() + "."
                alert.update(Text.assemble((f"training {h.state}: ", "bold"), sentence,
                                           (AFTER_PROBLEM if self.live else "", "italic")))
                self.notify(problem, title=f"training {h.state}", severity="error",
                            timeout=10)
        warning = h.gradient_warning
        if warning is not None and not h.gradient_warning_shown:
            h.gradient_warning_shown = True
            self.notify(warning.message(), title="gradients", severity="warning", timeout=10)

    def on_events_arrived(self, message: EventsArrived) -> None:
        self.frame()

    @on(ActivationTable.LayerChosen)
    def _layer_chosen(self, message: ActivationTable.LayerChosen) -> None:
        self.histogram_panel.chosen = message.layer

    def action_layer(self, delta: int) -> None:
        names = list(self.history.layers)
        if not names:
            return
        current = self.histogram_panel.shown_layer(self.history)
        i = names.index(current) if current in names else 0
        self.layer_table.move_cursor(row=(i + delta) % len(names))

    # the run ---------------------------------------------------------------------------
    def start_run(self) -> None:
        """Start (or restart) training ``spec`` in a fresh run folder."""
        assert self.catalog is not None
        previous = self.training
        if previous is not None:
            previous.stop()
        self.buffer = EventBuffer(self)  # a new buffer: late events of the old run are dropped
        self.history = RunHistory(backend=getattr(self.spec.train, "backend", "?"))
        self.training = TrainingRun(self.catalog, self.spec, self.runs_dir, self.buffer,
                                    tensorboard=self.tensorboard, pace=self.pace)
        self.history.pace = self.pace
        self._show_history()
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
                        severity="error", timeout=15)

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
        if action in CONTROLS and not self.live:
            return False  # a replay has no trainer to control
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
            if self._stuck():
                return
            self.trainer.resume()
        else:
            self.trainer.pause()

    def action_step(self) -> None:
        if self.trainer is not None and not self._stuck():
            self._pause_quietly()
            self.trainer.step_once()

    def action_inspect(self) -> None:
        """Pause, then step through 4 held-out samples layer by layer (the inspector)."""
        if self.trainer is None:
            return
        from nntui.app.screens.inspector_screen import InspectorScreen

        self._pause_quietly()
        self.app.push_screen(InspectorScreen.from_trainer(self.trainer))

    def action_epoch(self) -> None:
        if self.trainer is not None and not self._stuck():
            self._pause_quietly()
            self.trainer.epoch_once()

    def _pause_quietly(self) -> None:
        if not self.trainer.paused:
            self.trainer.pause()

    def action_reset(self) -> None:
        self.start_run()
        self.notify("reset: a new model trains in a new run folder", timeout=3)

    def action_watch(self) -> None:
        """Toggle the watch pace: WATCH_PACE steps a second, or full speed."""
        self.pace = 0.0 if self.pace else WATCH_PACE
        if self.trainer is not None:
            self.trainer.set_pace(self.pace)
        self.history.pace = self.pace
        self.history.status_version += 1
        self.frame()
        self.notify(f"watch pace: {WATCH_PACE:g} steps a second (w: full speed)" if self.pace
                    else "full speed (w: watch pace)", timeout=3)

    def action_lr_up(self) -> None:
        self._scale_lr(2.0)

    def action_lr_down(self) -> None:
        self._scale_lr(0.5)

    def _scale_lr(self, factor: float) -> None:
        if self.trainer is not None:
            self.set_learning_rate(self.trainer.model.optimizer.learning_rate * factor)

    def set_learning_rate(self, lr: float | None) -> None:
        if lr is None or self.trainer is None:
            return
        try:
            self.trainer.set_learning_rate(lr)
        except NntuiError as exc:
            self.notify(str(exc), severity="error")

    def action_set_lr(self) -> None:
        if self.trainer is not None:
            current = self.trainer.model.optimizer.learning_rate
            self.app.push_screen(LearningRateScreen(current), self.set_learning_rate)

    def action_export(self) -> None:
        """Checkpoint and screenshot into the run folder (config.toml is already there);
        asks first when an earlier export would be overwritten."""
        run = self.training
        if run is None or run.run_dir is None:
            self.notify("nothing to export yet", severity="warning")
            return
        try:
            paths = run.export_paths()
        except NntuiError as exc:
            self.notify(str(exc), title="export", severity="error")
            return
        existing = [p.name for key, p in paths.items() if key != "config" and p.exists()]
        if not existing:
            self.run_worker(self._export(run, paths), group="export", exclusive=True)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._export(run, paths), group="export", exclusive=True)

        self.app.push_screen(ConfirmScreen(f"Overwrite {' and '.join(existing)} in "
                                           f"{run.run_dir}?"), answered)

    async def _export(self, run: TrainingRun, paths: dict[str, Path]) -> None:
        try:
            shot = paths["screenshot"]
            self.app.save_screenshot(filename=shot.name, path=str(shot.parent))
            run.write_config()
            await asyncio.wait_for(asyncio.wrap_future(run.checkpoint()), EXPORT_TIMEOUT)
        except NntuiError as exc:
            self.notify(str(exc), title="export", severity="error", timeout=10)
            return
        except TimeoutError:
            self.notify("the trainer did not reach the end of a step; try again",
                        title="export", severity="error")
            return
        self.notify(f"checkpoint, config.toml and screenshot.svg in {run.run_dir}",
                    title="exported", timeout=8)

    async def action_back(self) -> None:
        await self.shutdown()
        self.dismiss()

    def commands(self) -> Iterable[SystemCommand]:
        """Command palette entries for this screen's controls."""
        if not self.live:
            return
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in CONTROLS:
                yield SystemCommand(binding.description, binding.tooltip or binding.description,
                                    getattr(self, f"action_{binding.action}"))
