"""``NntuiApp``: the launcher, the live dashboard, and replays of run folders.

Reached from ``nntui/cli.py``: ``NntuiApp(preset=None, replay_dir=None, backend=...).run()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen

from nntui.app.catalog import Catalog, PresetCatalog
from nntui.app.palette import Palette, system_commands
from nntui.app.quit_signals import install_quit_signals
from nntui.app.screens.help_screen import HelpScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.screens.too_small_screen import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.workers import warm_imports
from nntui.errors import NntuiError

if TYPE_CHECKING:
    from nntui.architectures.spec import RunSpec


class NntuiApp(App[None]):
    """The nntui terminal app.

    Args:
        preset: a preset name or config path the launcher opens on (None: the default).
        replay_dir: a run folder to show instead (``nntui replay LOGDIR``).
        backend: ``"auto"``, ``"numpy"`` or ``"mlx"``; overrides the presets' backend.
        catalog: where presets and sessions come from (tests pass a fake).
        runs_dir: parent folder of the run folders.
        tensorboard: also write TensorBoard event files (tests turn it off: it imports torch).
        script: a running learner's script (``nntui run``) whose fits are shown.
        compare: run folders shown side by side (``nntui compare``).
    """

    CSS_PATH = "nntui.tcss"
    TITLE = "nntui"
    SUB_TITLE = "a neural-network lab"
    BINDINGS = [Binding("f1", "help", "Help", show=False,
                        tooltip="Every key of this screen and what each panel shows")]

    def __init__(self, preset: str | None = None, replay_dir: str | Path | None = None,
                 backend: str | None = None, *, catalog: Catalog | None = None,
                 runs_dir: str | Path = "runs", tensorboard: bool = True,
                 script: Any = None, compare: list[str] | None = None) -> None:
        super().__init__()
        self.script, self.compare = script, compare
        self.preset, self.replay_dir, self.backend = preset, replay_dir, backend
        self.catalog: Catalog = catalog or PresetCatalog()
        self.runs_dir = Path(runs_dir)
        self.tensorboard = tensorboard
        self._restore_signals: Callable[[], None] = lambda: None

    # screens ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._restore_signals = install_quit_signals(self)  # SIGTERM/SIGHUP: as q does
        if self.tensorboard:
            self.run_worker(warm_imports, thread=True, group="warm-up", exit_on_error=False)
        self.call_after_refresh(self._check_size)
        if self.script is not None:
            from nntui.app.screens.script_screen import ScriptScreen

            self.push_screen(ScriptScreen(self.script))
            return
        if self.compare:
            from nntui.app.screens.compare_screen import CompareScreen

            self.push_screen(CompareScreen(list(self.compare)))
            return
        if self.replay_dir is not None:
            try:
                self.push_screen(ReplayScreen(self.replay_dir, self.catalog))
                return
            except NntuiError as exc:
                self.notify(str(exc), title="replay", severity="error", timeout=15,
                            markup=False)
        self.push_screen(LauncherScreen(self.catalog, start=self.preset))

    def on_unmount(self) -> None:
        self._restore_signals()

    def start_training(self, spec: RunSpec, pace: float | None = None) -> TrainScreen:
        """Open the dashboard and train ``spec`` (the backend option overrides the spec's)
        at ``pace`` steps a second (0: full speed; None: chosen from the run's length)."""
        if self.backend and self.backend != "auto" and hasattr(spec, "with_train"):
            spec = spec.with_train(backend=self.backend)
        screen = TrainScreen(spec, self.catalog, self.runs_dir, tensorboard=self.tensorboard,
                             pace=pace)
        self.push_screen(screen)
        return screen

    def start_fork(self, point: str, overrides: list[str], pace: float | None = None
                   ) -> TrainScreen | None:
        """Train on from the kept checkpoint ``point`` (``RUN_DIR@STEP``) with ``overrides``
        (``["train.learning_rate=0.001"]``) in a new run folder; None (and a message) when
        the fork cannot start."""
        from nntui.commands.fork import prepare_fork

        try:
            fork = prepare_fork(point, overrides)
        except NntuiError as exc:
            self.notify(str(exc), title="fork", severity="error", timeout=10, markup=False)
            return None
        screen = TrainScreen(fork.spec, self.catalog, self.runs_dir,
                             tensorboard=self.tensorboard, pace=pace, fork=fork)
        self.push_screen(screen)
        return screen

    def start_race(self, spec: Any, changes: list[str]) -> list[Any] | None:
        """Train ``spec`` and a copy with ``changes`` (``["model.activation=sigmoid"]``) at
        once, at full speed, and watch them side by side (:class:`RaceScreen`); None (and
        a message) when the changes do not make a valid run."""
        from nntui.app.workers import TrainingRun
        from nntui.presets import apply_override

        data = spec.to_dict()
        try:
            for change in changes:
                apply_override(data, change)
            other = self.catalog.spec_from_dict(data)
        except NntuiError as exc:
            self.notify(str(exc), title="race", severity="error", timeout=10, markup=False)
            return None
        runs = [TrainingRun(self.catalog, s, self.runs_dir, lambda _: None,
                            tensorboard=self.tensorboard, pace=0) for s in (spec, other)]
        for run in runs:
            self.run_worker(run.run, thread=True, group="race", exit_on_error=False)
        self.set_timer(0.05, lambda: self._open_race(runs))
        return runs

    def _open_race(self, runs: list[Any]) -> None:
        """The race screen once both run folders exist (building a session takes a moment)."""
        from nntui.app.screens.race_screen import RaceScreen
        from nntui.runlog.rundir import METRICS_JSONL

        if any(r.done.is_set() and r.run_dir is None for r in runs):
            self.notify("the race could not start: a run ended before its folder was made",
                        title="race", severity="error")
            return
        if any(r.run_dir is None or not (r.run_dir / METRICS_JSONL).exists() for r in runs):
            self.set_timer(0.1, lambda: self._open_race(runs))
            return
        self.push_screen(RaceScreen(runs))

    @property
    def train_screens(self) -> list[TrainScreen]:
        return [s for s in self.screen_stack if isinstance(s, TrainScreen)]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, Palette):
            self.push_screen(Palette(id="--command-palette"))

    async def action_quit(self) -> None:
        """Stop every run after its current step, close its logs, then exit."""
        for screen in self.train_screens:
            await screen.shutdown()
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        return system_commands(screen)

    def _handle_exception(self, error: Exception) -> None:
        """A crash in the app still ends each run properly: its trainer stops after the
        step in flight, which writes the end row and closes the logs."""
        for screen in self.train_screens:
            screen.end_after_crash()
        super()._handle_exception(error)

    # size ------------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self._check_size)  # after any screen change in flight

    def _check_size(self) -> None:
        """Cover everything with a "make the window larger" screen below the minimum."""
        small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        covered = isinstance(self.screen, TooSmallScreen)
        if small and not covered:
            self.push_screen(TooSmallScreen())
        elif covered and not small:
            self.pop_screen()
