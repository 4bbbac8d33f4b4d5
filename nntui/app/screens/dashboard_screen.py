"""The dashboard every run is watched on: curves, histograms, gradient norms, layer
statistics and the architecture's own panel, redrawn by one frame timer.

:class:`DashboardScreen` owns the layout, the frame loop, the alert line and the
layer choice. What feeds it is the business of the screens on top:
:class:`~nntui.app.screens.train_screen.TrainScreen` trains live and adds the
controls; :class:`~nntui.app.screens.replay_screen.ReplayScreen` follows a run
folder. Both fold events into one :class:`~nntui.app.history.RunHistory`; the timer
at :data:`FPS` redraws only the panels whose data changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

import nntui.app.panels  # noqa: F401 - registers the architecture panels (#arch-panel)
from nntui.app.history import RunHistory
from nntui.app.messages import EventsArrived
from nntui.app.screens.time_travel_controls import TimeTravelControls
from nntui.app.widgets.activation_table import ActivationTable
from nntui.app.widgets.arch_panel import ArchPanel, panel_for
from nntui.app.widgets.change_log import ChangeLog
from nntui.app.widgets.curves import CurvesPanel
from nntui.app.widgets.grad_norms import GradNormPanel
from nntui.app.widgets.histograms import HistogramPanel
from nntui.app.widgets.key_footer import KeyFooter
from nntui.app.widgets.panel import Panel
from nntui.app.widgets.status_line import StatusLine
from nntui.app.widgets.timeline import Timeline
from nntui.engine.events import ModelChanged
from nntui.runlog.kept_files import KeptIndex
from nntui.runlog.snapshot_store import SnapshotReader

FPS = 2  # status line and event draining; panels redraw at most once a second


class DashboardScreen(TimeTravelControls, Screen[None]):
    """The panels of one run and the keys every dashboard has (layers, time travel, help,
    quit)."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    KEYS = [
        Binding("left_square_bracket", "layer(-1)", "◀ layer", key_display="[", show=False,
                tooltip="Histograms of the previous layer with weights"),
        Binding("right_square_bracket", "layer(1)", "layer ▶", key_display="]", show=False,
                tooltip="Histograms of the next layer with weights"),
        Binding("z", "zoom", "Zoom", show=False, tooltip="The architecture panel large "
                "(neuron tiles, regions), or back to every panel"),
        Binding("question_mark", "app.help", "Help", key_display="?",
                tooltip="Every key of this screen and what each panel shows", id="help"),
        Binding("q", "app.quit", "Quit", tooltip="Stop after this step, close the logs, quit"),
        Binding("t", "travel", "Time travel", tooltip="The timeline: the panels at any kept "
                "snapshot (← →), the inspector (i) or a fork (f) at a kept checkpoint",
                id="travel"),
    ]
    """The keys of every dashboard; the screens on top list them in their BINDINGS where
    they want them in the footer (bindings a base class declares would come first)."""
    COMMANDS_TABLE: dict[str, tuple[str, str]] = {
        "layer(-1)": ("Previous layer: weight and gradient histograms", "["),
        "layer(1)": ("Next layer: weight and gradient histograms", "]"),
        "zoom": ("Zoom: the architecture panel large, or every panel", "z"),
        "travel": ("Time travel: the panels at an earlier step of the run", "t"),
    }
    """action -> (command palette title, key): what a learner would search for."""

    def __init__(self, architecture: str = "") -> None:
        super().__init__()
        self.architecture = architecture
        self.history = RunHistory()
        self._timer: Timer | None = None
        self._panels: tuple[Panel, ...] = ()
        self._alerted = ""  # the problem the alert line shows ("" none)
        self.changes = ChangeLog()
        """The changes made while it learned (surgery, new data), as the log has them."""
        self.travelled: RunHistory | None = None
        """The history the panels show while travelling (None: the run as it is now)."""
        self._kept: tuple[Path, SnapshotReader, KeptIndex] | None = None

    # layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static(id="alert", markup=False)
        yield Static(id="changes")
        with Container(id="dashboard"):
            # in this order the grid puts the architecture panel third: top right when
            # wide (3 columns, spanning both rows), second row left when narrow
            yield CurvesPanel("loss and metrics", id="curves")
            yield HistogramPanel("weights and gradients", id="histograms")
            yield panel_for(self.architecture)(self.architecture)
            yield GradNormPanel("gradient norm per layer (log)", id="grad-norms")
            yield ActivationTable(id="layer-table")
        yield Timeline(id="timeline")
        yield KeyFooter()

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def arch_panel(self) -> ArchPanel:
        return self.query_one("#arch-panel", ArchPanel)

    @property
    def histogram_panel(self) -> HistogramPanel:
        return self.query_one("#histograms", HistogramPanel)

    @property
    def layer_table(self) -> ActivationTable:
        return self.query_one("#layer-table", ActivationTable)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def shown(self) -> RunHistory:
        """What the panels draw: the run now, or the step travelled to."""
        return self.travelled or self.history

    def on_mount(self) -> None:
        self._panels = tuple(self.query(Panel))  # fixed at compose; no DOM query per frame
        self.show_history()
        self._timer = self.set_interval(1 / FPS, self.frame)

    def show_history(self) -> None:
        """Draw ``self.history`` from scratch (a new run, a reset)."""
        self.travelled = None
        self.timeline.at = None
        self.show_panels(self.history)
        self.frame()

    def show_panels(self, history: RunHistory) -> None:
        """Every panel draws ``history`` from now on (the run, or a step travelled to)."""
        for panel in self.query(Panel):
            panel.show(history)
        self.layer_table.reset()
        self.layer_table.show(history)

    # events and frames -----------------------------------------------------------------
    def feed(self, events: Iterable[object]) -> None:
        """Fold events into the history (the frame timer draws them)."""
        for event in events:
            if isinstance(event, ModelChanged):
                self.changes.add(event)
            self.history.apply(event)

    def drain(self) -> list[object]:
        """Events that arrived since the last frame (a replay feeds them by polling)."""
        return []

    def frame(self) -> None:
        """Drain the new events and redraw what changed."""
        self.feed(self.drain())
        h = self.history
        self.status_line.show(h)  # every frame: the wall clock and the pace move
        for panel in self._panels:
            panel.tick()
        self.layer_table.show(self.shown)
        self._show_alerts(h)
        self.changes.show(self.query_one("#changes", Static))
        self.update_timeline()

    def after_problem(self) -> str:
        """What the learner can do after a failure, in this screen (a sentence or "")."""
        return ""

    def problem_text(self, h: RunHistory) -> str:
        """The failure or divergence the alert line shows ("" none)."""
        return h.message if h.state in ("failed", "diverged") else ""

    def _show_alerts(self, h: RunHistory) -> None:
        """A failed or diverged run: a line under the status saying what happened and what
        to try, and a notification; the first exploding-gradient warning: a notification."""
        problem = self.problem_text(h)
        if problem != self._alerted:
            self._alerted = problem
            alert = self.query_one("#alert", Static)
            alert.display = bool(problem)
            if problem:
                sentence = problem if problem.rstrip().endswith((".", "!", "?")) else \
                    problem.rstrip() + "."
                alert.update(Text.assemble((f"training {h.state}: ", "bold"), sentence,
                                           (self.after_problem(), "italic")))
                self.notify(problem, title=f"training {h.state}", severity="error",
                            timeout=10, markup=False)
        warning = h.gradient_warning
        if warning is not None and not h.gradient_warning_shown:
            h.gradient_warning_shown = True
            self.notify(self.gradient_advice(warning.message()), title="gradients",
                        severity="warning", timeout=10, markup=False)

    def gradient_advice(self, message: str) -> str:
        """The exploding-gradient warning as this screen words it."""
        return message

    def on_events_arrived(self, message: EventsArrived) -> None:
        self.frame()

    # layers ----------------------------------------------------------------------------
    @on(ActivationTable.LayerChosen)
    def _layer_chosen(self, message: ActivationTable.LayerChosen) -> None:
        if message.layer in self.shown.layer_names():
            self.histogram_panel.chosen = message.layer

    def action_zoom(self) -> None:
        """The architecture panel over most of the screen, or every panel again."""
        self.toggle_class("-zoom")

    def action_layer(self, delta: int) -> None:
        """Histograms of the next (``delta`` 1) or previous (-1) layer that has weights."""
        names = self.shown.layer_names()
        if not names:
            return
        current = self.histogram_panel.shown_layer(self.shown)
        i = names.index(current) if current in names else 0
        chosen = names[(i + delta) % len(names)]
        self.histogram_panel.chosen = chosen
        self.layer_table.move_to(chosen)
