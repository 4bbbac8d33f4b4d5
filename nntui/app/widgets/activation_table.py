"""Per-layer statistics from the latest snapshot; the highlighted row picks the layer."""

from __future__ import annotations

import math

from textual.message import Message
from textual.widgets import DataTable

from nntui.app.history import RunHistory

COLUMNS = (("layer", "layer"), ("kind", "kind"), ("grad", "‖g‖"), ("mean", "act mean"),
           ("std", "act std"), ("dead", "dead ReLU"))


def _num(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


class ActivationTable(DataTable[str]):
    """Layer, kind, gradient norm, activation mean and spread, dead-ReLU share."""

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
        self._version: object = None

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, history: RunHistory) -> None:
        """Update the rows from ``history`` if a new snapshot arrived."""
        if history.snapshot_version == self._version:
            return
        self._version = history.snapshot_version
        for name, s in history.layers.items():
            dead = None if s.dead is None else f"{100 * s.dead:.0f}%"
            cells = (name, s.kind, _num(s.grad_norm), _num(s.act_mean), _num(s.act_std),
                     dead or "–")
            if name in self.rows:
                for (key, _), value in zip(COLUMNS, cells, strict=False):
                    self.update_cell(name, key, value, update_width=True)
            else:
                self.add_row(*cells, key=name)

    def reset(self) -> None:
        self.clear()
        self._version = None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.LayerChosen(event.row_key.value))
