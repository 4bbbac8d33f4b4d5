"""The base of the architecture panels: sections stacked to fit, probe/unit/view keys.

A panel lists :class:`Section` s (a title and a function from a ``(width, height)``
box to a Rich renderable). :meth:`SectionPanel.build` shows as many as fit the
panel's height, starting at the section chosen with ``v``; each section is cropped
to its box (:class:`~nntui.viz.boxes.Boxed`), so one view can never push another
off the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive

from nntui.app.history import RunHistory
from nntui.app.widgets.arch_panel import ArchPanel
from nntui.viz.boxes import Boxed, title_line


@dataclass(frozen=True)
class Section:
    """One view of a panel: ``draw(width, height)`` must fit ``min_height`` lines or more."""

    title: str
    draw: Callable[[int, int], RenderableType]
    min_height: int = 6
    grow: bool = True  # takes a share of the spare lines


class SectionPanel(ArchPanel):
    """An architecture panel drawn from ``history.extras`` as stacked sections.

    Keys (while the panel has focus; click it or press Tab): ``v`` next view,
    ``p`` next probe sample, ``u`` next unit (neuron / head). A click also moves to
    the next view.
    """

    can_focus = True
    # not in the footer (the panel's header says "v: next view"); in help and the palette
    BINDINGS = [
        Binding("v", "cycle('view')", "View", show=False,
                tooltip="Show the next view of the architecture panel"),
        Binding("p", "cycle('probe')", "Probe", show=False,
                tooltip="Show the next probe sample (the example the panel follows)"),
        Binding("u", "cycle('unit')", "Unit", show=False,
                tooltip="Show the next neuron, unit or attention head"),
    ]
    COMMANDS_TABLE = {
        "cycle('view')": ("View: next view of the architecture panel", "v"),
        "cycle('probe')": ("Probe: next probe sample in the architecture panel", "p"),
        "cycle('unit')": ("Unit: next neuron, unit or head in the architecture panel", "u"),
    }
    DEFAULT_CSS = """
    SectionPanel:focus { border: round $accent; }
    """

    view: reactive[int] = reactive(0, layout=False, init=False)
    """Index of the first section shown."""
    probe: reactive[int] = reactive(0, layout=False, init=False)
    """Which probe sample the per-sample views show."""
    unit: reactive[int] = reactive(0, layout=False, init=False)
    """Which neuron / unit / head the per-unit views show."""

    # choices ---------------------------------------------------------------------------
    def action_cycle(self, what: str) -> None:
        setattr(self, what, getattr(self, what) + 1)

    def _redraw(self) -> None:
        self._drawn_version = None
        self._cache = None
        self.refresh()

    def watch_view(self) -> None:
        self._redraw()

    def watch_probe(self) -> None:
        self._redraw()

    def watch_unit(self) -> None:
        self._redraw()

    def on_click(self) -> None:
        self.action_cycle("view")

    def data_version(self, history: RunHistory) -> object:
        return (history.snapshot_version, id(self._fixed), self.view, self.probe, self.unit,
                self.extra_version(history))

    def extra_version(self, history: RunHistory) -> object:
        """Other data the panel draws (e.g. step metrics); None when only snapshots."""
        return None

    def pick(self, n: int, what: str = "probe") -> int:
        """The current ``probe``/``unit`` index modulo ``n`` (0 when there are none)."""
        return getattr(self, what) % n if n else 0

    # drawing ---------------------------------------------------------------------------
    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        raise NotImplementedError

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        extras = history.extras
        if self._fixed is not None or not extras:
            return super().build(history, size)
        sections = self.sections(extras, history, size.width)
        if not sections:
            return Text("nothing to show for this model", style="dim")
        return self.stack(sections, size)

    def stack(self, sections: list[Section], size: Size) -> RenderableType:
        """The sections from ``view`` on that fit ``size``, sharing the spare lines: the
        first always, then each later one that still fits (a tall one is skipped so a
        shorter one after it can use the space). The border says which view this is."""
        start = self.view % len(sections)
        order = sections[start:] + sections[:start]
        shown: list[Section] = []
        used = 0
        for s in order:
            if shown and used + s.min_height + 1 > size.height:
                continue
            shown.append(s)
            used += s.min_height + 1  # + the title line
        hint = (f"v: view {start + 1}/{len(sections)}" if len(shown) < len(sections)
                else "")
        self.view_hint = hint  # the border shows it (ArchPanel.render, after this render)
        spare = max(0, size.height - used)
        growers = [s for s in shown if s.grow] or shown
        parts: list[RenderableType] = []
        left = size.height
        for s in shown:
            h = s.min_height + (spare // len(growers) if s in growers else 0)
            h = max(1, min(h, left - 1))  # a first section taller than the panel is cropped
            left -= h + 1
            parts.append(title_line(s.title))
            parts.append(Boxed(s.draw(size.width, h), size.width, h))
        return Group(*parts)
