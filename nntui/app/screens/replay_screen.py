"""The dashboard for a run folder: finished, or still being written (followed).

``nntui replay DIR`` opens any folder a user points at, so nothing it holds is
trusted: a ``config.toml`` that cannot be read, or whose values have the wrong types,
leaves the names and totals unknown (and says so) instead of ending the app.
"""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from nntui.app.catalog import Catalog
from nntui.app.companions import fork_companions
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.engine import events as ev
from nntui.errors import NntuiError
from nntui.runlog.stream import RunStream

POLL_SECONDS = 0.5


def _started(config: object, folder: str) -> tuple[ev.TrainingStarted, list[str]]:
    """The start of the replayed run from its config, each value checked for its type,
    and what was wrong with it."""
    problems: list[str] = []
    config = config if isinstance(config, dict) else {}
    train = config.get("train", {})
    if not isinstance(train, dict):
        problems.append(f"train is {train!r}, not a table")
        train = {}
    name, backend, epochs = config.get("name"), train.get("backend", "?"), train.get("epochs", 0)
    if not isinstance(backend, str):
        problems.append(f"train.backend is {backend!r}, not a name")
        backend = "?"
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        problems.append(f"train.epochs is {epochs!r}, not a whole number")
        epochs = 0
    started = ev.TrainingStarted(name if isinstance(name, str) else folder, backend, epochs,
                                 0, config)
    return started, problems


def _architecture(config: object) -> str:
    arch = config.get("architecture") if isinstance(config, dict) else None
    return arch if isinstance(arch, str) else ""


class ReplayScreen(DashboardScreen):
    """Follows a run folder with :class:`~nntui.runlog.stream.RunStream`: its metric rows
    and its snapshots, polled for what is new, folded into the history as a live run's.

    Raises:
        CheckpointError: the folder is missing or holds no metrics (shown by the app).
    """

    BINDINGS = [
        *DashboardScreen.KEYS,
        Binding("escape", "back", "Launcher", key_display="esc",
                tooltip="Stop watching this run folder, open the launcher"),
    ]
    COMMANDS_TABLE = {
        **DashboardScreen.COMMANDS_TABLE,
        "back": ("Back to the launcher (stops following this run)", "esc"),
    }

    def __init__(self, logdir: str | Path, catalog: Catalog | None = None) -> None:
        self.stream = RunStream(logdir)
        self.reader = self.stream.metrics
        self.catalog = catalog
        """What the launcher opened with Esc shows (None: Esc quits)."""
        self.config_problem = ""
        """Why the run's config.toml could not be used ("" when it could)."""
        config: object = {}
        try:
            config = self.reader.config
        except (NntuiError, ValueError, UnicodeDecodeError) as exc:
            self.config_problem = str(exc)
        super().__init__(_architecture(config))
        self.config = config
        self.sub_title = str(logdir)
        self._told_skipped = False
        self._told_damaged = False
        self._last_error = ""

    def run_folder(self) -> Path | None:
        return self.stream.logdir

    def _say_once(self, message: str) -> None:
        """A problem is shown when it first appears, not at every poll."""
        if message != self._last_error:
            self._last_error = message
            self.notify(message, title="replay", severity="error", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        started, problems = _started(self.config, self.reader.logdir.name)
        self.history.apply(started)
        self.history.state = "replay"
        self.history.companions = fork_companions(self.stream.logdir)
        if self.config_problem:
            problems.insert(0, self.config_problem)
        if problems:
            self.notify(f"{'; '.join(problems)}. The metrics are shown without it.",
                        title="replay: config.toml", severity="warning", timeout=15,
                        markup=False)
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Feed the next chunk of rows; go on right after the next frame while the log has
        more (a long log shows its first frame at once and fills in)."""
        try:
            events = self.stream.read()
        except NntuiError as exc:
            self._say_once(str(exc))
            return
        if self.reader.skipped and not self._told_skipped:
            self._told_skipped = True
            self.notify(f"skipped unreadable lines (first: {self.reader.first_skipped}); "
                        "the rest of the log is shown", title="replay", severity="warning",
                        timeout=10, markup=False)
        if self.stream.damaged and not self._told_damaged:
            self._told_damaged = True
            self.notify(f"skipped unreadable snapshots (first: {self.stream.first_damaged})",
                        title="replay", severity="warning", timeout=10, markup=False)
        if self.reader.behind:
            self.call_after_refresh(self.poll)
        h = self.history
        for event in events:
            if isinstance(event, ev.StepCompleted):
                h.steps_per_epoch = max(h.steps_per_epoch, event.batch)
        self.feed(events)
        if h.state in ("running", "starting"):
            h.state = "replay"
        if events:
            self.frame()

    def action_back(self) -> None:
        from nntui.app.screens.launcher_screen import LauncherScreen

        # under the launcher, or the list of a script's fits (`nntui run`): back to it
        if any(isinstance(s, LauncherScreen) or getattr(s, "LISTS_RUNS", False)
               for s in self.app.screen_stack):
            self.dismiss()
        elif self.catalog is not None:
            self.app.switch_screen(LauncherScreen(self.catalog))
        else:
            self.app.exit()
