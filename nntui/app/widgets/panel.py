"""``Panel``: a dashboard widget that redraws only when its data changed.

A panel reads a :class:`~nntui.app.history.RunHistory`; the screen's frame timer
calls :meth:`Panel.tick` a few times a second, and the panel refreshes only when
:meth:`data_version` moved since its last frame (or its size changed, which
Textual handles itself). :meth:`build` makes the Rich renderable for a size; the
last one is cached, so repaints for other reasons (hover, focus) cost nothing.
"""

from __future__ import annotations

import time

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from nntui.app.history import RunHistory


class Panel(Widget):
    """Base class of dashboard panels. Subclasses write ``data_version`` and ``build``."""

    DEFAULT_CSS = """
    Panel { border: round $primary-darken-2; border-title-color: $text-accent; }
    """
    PLACEHOLDER = "waiting for the first steps"
    MIN_INTERVAL = 0.5
    """Seconds between two redraws at most. Every redraw is UI-thread time taken from
    the trainer (they share the GIL), so panels redraw at 1-2 frames a second."""

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = title
        self.history: RunHistory | None = None
        self._drawn_version: object = None
        self._cache: tuple[object, Size, RenderableType] | None = None
        self._refreshed_at = 0.0
        self.last_build_ms = 0.0
        """Time the last :meth:`build` took, in milliseconds (for measuring)."""

    def data_version(self, history: RunHistory) -> object:
        """A value that changes whenever this panel's picture would."""
        return history.status_version

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        """The picture for ``size`` (content cells)."""
        raise NotImplementedError

    def show(self, history: RunHistory | None) -> None:
        """Draw from ``history`` from now on (None: empty)."""
        self.history = history
        self._drawn_version = None
        self._cache = None
        self.refresh()

    def tick(self) -> None:
        """Refresh if the data changed since the last frame (at most every MIN_INTERVAL
        while training runs; at once when it paused, stepped or ended)."""
        now = time.monotonic()
        if self.history is None:
            return
        # (the frame timer jitters: 0.05 s of slack keeps "every other frame" exact)
        if now - self._refreshed_at < self.MIN_INTERVAL - 0.05 and self.history.running:
            return
        if self.data_version(self.history) != self._drawn_version:
            self._refreshed_at = now
            self.before_redraw(self.history)
            self.refresh()

    def before_redraw(self, history: RunHistory) -> None:
        """Set what goes with the next picture (a border title) before it is drawn: set
        after, it would draw the whole panel a second time."""

    def render(self) -> RenderableType:
        history, size = self.history, self.content_size
        if history is None or size.width < 4 or size.height < 2:
            return Text(self.PLACEHOLDER, style="dim")
        version = self.data_version(history)
        if self._cache is not None and self._cache[:2] == (version, size):
            return self._cache[2]
        t0 = time.perf_counter()
        picture = self.build(history, size)
        self.last_build_ms = (time.perf_counter() - t0) * 1e3
        self._cache = (version, size, picture)
        self._drawn_version = version
        return picture
