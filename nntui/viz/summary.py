"""``model.summary()``: a Rich table of layers, output shapes and parameter counts."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table


def summary_table(model: Any) -> Table:
    """The summary as a Rich Table (Keras's columns)."""
    table = Table(title=f'Model: "{model.name}"  (backend: {model.backend})', title_justify="left")
    table.add_column("Layer (type)")
    table.add_column("Output Shape")
    table.add_column("Param #", justify="right")
    table.add_column("Trainable", justify="center")
    for layer in model.layers:
        shape = "?" if layer.output_shape is None else str((None, *layer.output_shape))
        table.add_row(f"{layer.name} ({type(layer).__name__})", shape,
                      f"{layer.count_params():,}", "yes" if layer.trainable else "frozen")
    total = model.count_params()
    trainable = sum(ly.count_params() for ly in model.layers if ly.trainable)
    table.caption = (f"Total params: {total:,}   Trainable: {trainable:,}   "
                     f"Non-trainable: {total - trainable:,}")
    return table


def render_summary(model: Any, print_fn: Callable[[Any], None] | None = None) -> None:
    table = summary_table(model)
    if print_fn is None:
        Console().print(table)
    else:
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(table)
        print_fn(console.export_text())
