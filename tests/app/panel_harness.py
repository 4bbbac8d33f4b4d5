"""Helpers shared by the panel tests and the screenshot script: a run's history from a
real (short) training of a preset, and a tiny app that shows one architecture panel."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from nntui.app.history import RunHistory
from nntui.app.panels import panel_for
from nntui.app.widgets.arch_panel import ArchPanel
from nntui.architectures import Session, build_session
from nntui.presets import load_preset

TINY = ["dataset.n_samples=200", "train.epochs=1"]


def tiny_session(preset: str, *overrides: str) -> Session:
    """A preset on 200 samples, one epoch (transfer pretrains one epoch too)."""
    extra = ["model.pretrain_epochs=1"] if preset.startswith("transfer") else []
    return build_session(load_preset(preset, overrides=[*TINY, *extra, *overrides]))


def trained_history(session: Session, steps: int | None = None, snapshot_every: int = 5
                    ) -> RunHistory:
    """Train ``session`` (all its epochs, or ``steps`` steps) and fold every event into a
    RunHistory, as the dashboard does: snapshots through the app's time throttle
    (``SNAPSHOT_INTERVAL``) and the panel data's, and the fresh one the run ends with."""
    from nntui.app.workers import SNAPSHOT_INTERVAL

    history = RunHistory()
    trainer = session.trainer(snapshot_every=snapshot_every, on_divergence="raise")
    trainer.snapshot_interval = SNAPSHOT_INTERVAL
    trainer.subscribe(history.apply)
    if steps is not None:
        trainer.subscribe(lambda e: trainer.stop() if getattr(e, "step", 0) >= steps
                          and type(e).__name__ == "StepCompleted" else None)
    trainer.run()
    if steps is not None:  # stopped: no fresh snapshot at the end, take it here
        trainer.refresh()
    return history


def history_with_extras(extras: dict[str, Any], history: RunHistory | None = None) -> RunHistory:
    history = history or RunHistory()
    history.extras = extras
    history.snapshot_version += 1
    return history


class PanelApp(App[None]):
    """One architecture panel filling the screen."""

    CSS = "#arch-panel { height: 1fr; width: 1fr; }"
    TITLE = "nntui"  # the window title of the screenshots

    def __init__(self, architecture: str, history: RunHistory) -> None:
        super().__init__()
        self.architecture, self.history = architecture, history

    def compose(self) -> ComposeResult:
        yield panel_for(self.architecture)(self.architecture)

    def on_mount(self) -> None:
        self.panel.show(self.history)
        self.panel.focus()

    @property
    def panel(self) -> ArchPanel:
        return self.query_one("#arch-panel", ArchPanel)
