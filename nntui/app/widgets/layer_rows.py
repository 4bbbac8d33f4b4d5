"""The layer editor's table: one row per layer with its settings, output shape and
parameter count (the ``summary()`` table, live), a row that cannot connect in red
with its reason."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from nntui.architectures.layer_table import RowCheck, summary_text, total_params

COLUMNS = ("#", "layer", "settings", "output", "params")


def shape_text(shape: tuple[Any, ...] | None) -> str:
    if shape is None:
        return "—"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


class LayerRows(DataTable[Text]):
    """Rows of ``(table, check)``; the cursor is the chosen layer."""

    DEFAULT_CSS = """
    LayerRows { height: auto; max-height: 60%; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for name in COLUMNS:
            self.add_column(name, key=name)

    def show(self, tables: list[dict[str, Any]], checks: list[RowCheck], chosen: int) -> None:
        """Redraw every row (in place when their number is the same) and put the cursor
        on row ``chosen``."""
        cells = [_cells(i, t, c) for i, (t, c) in enumerate(zip(tables, checks, strict=True))]
        if self.row_count == len(cells):
            for i, row in enumerate(cells):
                for name, cell in zip(COLUMNS, row, strict=True):
                    self.update_cell(str(i), name, cell, update_width=True)
        else:
            self.clear()
            for i, row in enumerate(cells):
                self.add_row(*row, key=str(i))
        if cells:
            self.move_cursor(row=min(max(chosen, 0), len(cells) - 1))

    @staticmethod
    def total_line(checks: list[RowCheck]) -> str:
        return f"{total_params(checks):,} parameters in {len(checks)} layers"


def _cells(i: int, table: dict[str, Any], check: RowCheck) -> tuple[Text, ...]:
    bad = bool(check.error)
    style = "bold red" if bad else ("yellow" if check.note else "")
    mark = "✗" if bad else ("!" if check.note else "")
    output = Text("does not fit" if bad else shape_text(check.output_shape), style)
    return (Text(f"{mark}{i + 1}", style), Text(str(table.get("type")), "bold"),
            Text(summary_text(table)), output,
            Text(f"{check.params:,}" if check.output_shape else "", style))
