"""The slot for the architecture's own panel (decision boundary, gates, samples, ...).

Two ways in:

* subclass :class:`ArchPanel`, override :meth:`ArchPanel.build` to draw from
  ``history.extras`` (the latest ``SnapshotTaken.extras``, made by the
  architecture's ``panel_data``) and register it under the view name the
  architecture gives in ``Architecture.panel`` with :func:`register_arch_panel`;
  the dashboard mounts ``panel_for(architecture)`` as ``#arch-panel``;
* or call :meth:`ArchPanel.set_panel` with any Rich renderable.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.widgets.panel import Panel

ARCH_PANELS: dict[str, type[ArchPanel]] = {}
"""View name -> the panel class that draws it."""


class ArchPanel(Panel):
    """Base of per-architecture panels; by itself it lists what the extras hold."""

    PLACEHOLDER = "the architecture's view appears at the first snapshot"
    MIN_INTERVAL = 1.0
    """Its pictures (decision regions, heatmaps, images) have a colour per cell: Textual
    takes ~15 ms to lay one out, so they redraw once a second (keys redraw at once)."""

    def __init__(self, architecture: str = "", *, id: str | None = "arch-panel") -> None:
        super().__init__(architecture or "architecture", id=id)
        self.architecture = architecture
        self._fixed: RenderableType | None = None
        self.view_hint = ""
        """"v: view i/n" when the panel shows only some of its views (set by the build)."""

    def set_panel(self, renderable: RenderableType | None) -> None:
        """Show ``renderable`` (None: go back to drawing from the snapshots)."""
        self._fixed = renderable
        self._drawn_version = None
        self._cache = None
        self.refresh()

    def data_version(self, history: RunHistory) -> object:
        return (history.snapshot_version, id(self._fixed))

    def _subtitle(self) -> str | None:
        """The view hint and the step of the picture."""
        step = None if self.history is None else self.history.extras_step
        shown = "" if step is None or self._fixed is not None else f"step {step}"
        return " · ".join(p for p in (self.view_hint, shown) if p) or None

    def before_redraw(self, history: RunHistory) -> None:
        # the step's subtitle goes with the redraw: set after it, the subtitle drew the
        # whole panel again (a decision-region grid: ~15 ms of the UI thread a second)
        subtitle = self._subtitle()
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle

    def render(self) -> RenderableType:
        picture = super().render()
        subtitle = self._subtitle()
        if subtitle != self.border_subtitle:  # a new view hint (set by the build), or a
            # redraw not from tick: set after this render (set during one, it is lost)
            self.call_later(setattr, self, "border_subtitle", subtitle)
        return picture

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        if self._fixed is not None:
            return self._fixed
        if not history.extras:
            return Text(f"{self.architecture or 'this architecture'}: no panel yet",
                        style="dim")
        keys = ", ".join(sorted(history.extras))
        return Text(f"snapshot extras: {keys}", style="dim")


def register_arch_panel(view: str) -> Callable[[type[ArchPanel]], type[ArchPanel]]:
    """Class decorator: this panel class draws the view called ``view`` (an
    architecture names its view in ``Architecture.panel``)."""

    def wrap(cls: type[ArchPanel]) -> type[ArchPanel]:
        ARCH_PANELS[view] = cls
        return cls

    return wrap


def panel_for(architecture: str) -> type[ArchPanel]:
    """The panel class that draws ``architecture``'s view (the generic one when the
    architecture is unknown or its view has no panel)."""
    from nntui.architectures import ARCHITECTURES

    arch = ARCHITECTURES.get(architecture)
    return ARCH_PANELS.get(arch.panel, ArchPanel) if arch is not None else ArchPanel
