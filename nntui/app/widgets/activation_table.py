"""Per-layer statistics from the latest snapshot; the highlighted row picks the layer."""

from __future__ import annotations

import math
import time

from textual.cache import LRUCache
from textual.message import Message
from textual.widgets import DataTable

from nntui.app.history import LayerStats, RunHistory

COLUMNS = (("layer", "layer"), ("grad", "‖g‖"), ("mean", "act mean"), ("std", "act std"),
           ("dead", "dead"))
"""Five narrow columns: the table fits a third of a 170-column screen (the layer's kind
goes beside its name when the name does not say it: ``output (Dense)``)."""
WIDTH = 8  # cells of every number column, so updating a cell never changes the widths


CACHE_SIZE = 256  # entries per DataTable render cache (rows × columns × a few states)
MIN_INTERVAL = 2.0
"""Seconds between two updates at most: a DataTable repaint costs milliseconds."""


def _num(x: float | None) -> str:
    """A number in WIDTH cells ("–" when there is none)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return f"{'–':>{WIDTH}}"
    return f"{x:{WIDTH}.3g}"


def layer_label(name: str, kind: str) -> str:
    """``conv2d`` stays; ``output`` of kind Dense becomes ``output (Dense)``."""
    return name if kind.lower() in name.replace("_", "").lower() else f"{name} ({kind})"


def grad_cell(stats: LayerStats) -> str:
    """The ‖g‖ cell: the norm, "frozen" for weights training leaves alone, "–" without."""
    return f"{'frozen':>{WIDTH}}" if stats.frozen else _num(stats.grad_norm)


def layer_cells(history: RunHistory) -> list[tuple[str, tuple[str, ...]]]:
    """``(layer, cells)`` per layer: what the table shows of the history's last snapshot."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, s in history.layers.items():
        dead = f"{'–':>4}" if s.dead is None else f"{100 * s.dead:3.0f}%"
        out.append((name, (layer_label(name, s.kind), grad_cell(s), _num(s.act_mean),
                           _num(s.act_std), dead)))
    return out


class ActivationTable(DataTable[str]):
    """Layer (and kind), gradient norm, activation mean and spread, dead-ReLU share."""

    DEFAULT_CSS = """
    ActivationTable { height: auto; max-height: 12; }
    """

    class LayerChosen(Message):
        """The user moved to (or clicked) the row of ``layer``."""

        def __init__(self, layer: str) -> None:
            super().__init__()
            self.layer = layer

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        # DataTable keys its render caches by an update counter, so every update adds a
        # fresh set of entries: the 10,000-entry cell cache grew the app by ~15 MB over
        # 10 minutes before it was full. A few tables' worth is all this table reuses.
        for name in ("_row_render_cache", "_cell_render_cache", "_row_renderable_cache",
                     "_line_cache"):
            if isinstance(getattr(self, name, None), LRUCache):
                setattr(self, name, LRUCache(CACHE_SIZE))
        self._version: object = None
        self._shown_at = -math.inf

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, history: RunHistory) -> None:
        """Update the rows from ``history`` if a new snapshot arrived."""
        now = time.monotonic()
        if history.snapshot_version == self._version:
            return
        if now - self._shown_at < MIN_INTERVAL and len(self.rows) == len(history.layers) \
                and history.running:
            return  # new layers (and a paused or ended run) at once, else every MIN_INTERVAL
        self._version, self._shown_at = history.snapshot_version, now
        for name, cells in layer_cells(history):
            if name not in self.rows:
                self.add_row(*cells, key=name)
                continue
            row = self.get_row(name)
            for (key, _), value, old in zip(COLUMNS[1:], cells[1:], row[1:], strict=True):
                if value != old:
                    self.update_cell(name, key, value)

    def reset(self) -> None:
        self.clear()
        self._version, self._shown_at = None, -math.inf

    def move_to(self, layer: str) -> None:
        """Put the cursor on ``layer``'s row (if it has one)."""
        if layer in self.rows:
            self.move_cursor(row=self.get_row_index(layer))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # the row key is None when the table was cleared (a reset) under the cursor
        key = event.row_key
        if key is not None and key.value is not None:
            self.post_message(self.LayerChosen(key.value))
