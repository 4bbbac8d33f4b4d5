"""Loss and metric curves, training (per step) against validation (per epoch)."""

from __future__ import annotations

import numpy as np
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size

from nntui.app.history import BoundedSeries, RunHistory
from nntui.app.widgets.panel import Panel
from nntui.viz.plot import Series, line_plot

MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT = 30, 7
SMOOTH = 0.15  # EMA weight of the newest batch in the training curve


def smoothed(series: BoundedSeries) -> Series:
    """The series with an exponential moving average over y (batches are noisy)."""
    y = np.asarray(series.y, dtype=np.float64)
    if y.size > 2:
        out = np.empty_like(y)
        acc = y[0]
        for i, v in enumerate(y):  # NaN stays NaN so divergence shows
            acc = v if not np.isfinite(acc) else (1 - SMOOTH) * acc + SMOOTH * v
            out[i] = acc
        y = out
    return series.x, y


def metric_groups(history: RunHistory) -> list[tuple[str, dict[str, Series]]]:
    """``[(title, {legend: (x, y)})]``: the losses first, then the first other metric."""
    steps, epochs = history.step_metrics, history.epoch_metrics
    losses = [k for k in steps if "loss" in k] or list(steps)[:1]
    others = [k for k in steps if k not in losses]
    groups = [("loss", losses)] + ([(others[0], others[:1])] if others else [])
    out = []
    for title, keys in groups:
        series: dict[str, Series] = {}
        for k in keys:
            series["train" if len(keys) == 1 else k] = smoothed(steps[k])
            val = epochs.get(f"val_{k}")
            if val is not None and len(val):
                series["val" if len(keys) == 1 else f"val_{k}"] = (val.x, val.y)
        out.append((title, series))
    return out


class CurvesPanel(Panel):
    """Loss (and accuracy or another metric) against the step; side by side when wide."""

    MIN_INTERVAL = 0.5
    PLACEHOLDER = "loss curves appear after the first steps"

    def data_version(self, history: RunHistory) -> object:
        return history.curves_version

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        groups = metric_groups(history)
        if not groups or not groups[0][1]:
            return Text(self.PLACEHOLDER, style="dim")
        side = len(groups) > 1 and size.width >= 2 * MIN_PLOT_WIDTH
        if not side and size.height < 2 * MIN_PLOT_HEIGHT:
            groups = groups[:1]  # too small for two plots: the loss alone
        w = size.width // len(groups) if side else size.width
        h = size.height if side or len(groups) == 1 else size.height // len(groups)
        plots = [line_plot(series, width=w, height=h, title=title) for title, series in groups]
        grid = Table.grid(padding=0)
        if side:
            grid.add_row(*plots)
        else:
            for plot in plots:
                grid.add_row(plot)
        return grid
