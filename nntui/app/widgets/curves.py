"""Loss and metric curves, training (per step) against validation (per epoch).

Drawn with :class:`~nntui.viz.line_chart.LineChart` (quadrant blocks, ~1 ms) rather
than plotext (20-60 ms a redraw, all of it taken from the trainer's share of the GIL).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.geometry import Size

from nntui.app.history import BoundedSeries, RunHistory
from nntui.app.widgets.panel import Panel
from nntui.viz.line_chart import LineChart, Series, SideBySide

MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT = 30, 7


def smoothed(series: BoundedSeries) -> Series:
    """The series' moving average (batches are noisy), kept by the series as it grows."""
    return series.x, (series.smooth if series.ema is not None else series.y)


def metric_groups(history: RunHistory) -> list[tuple[str, dict[str, Series]]]:
    """``[(title, {legend: (x, y)})]``: the losses first, then the first other metric;
    the history's companions (a fork's parent, compared runs) join each chart under
    their own names."""
    steps = history.step_metrics or next(  # a comparison: the runs' metrics only
        (c.step_metrics for _, c in history.companions if c.step_metrics), {})
    losses = [k for k in steps if "loss" in k] or list(steps)[:1]
    others = [k for k in steps if k not in losses]
    groups = [("loss", losses)] + ([(others[0], others[:1])] if others else [])
    out = []
    for title, keys in groups:
        series = _series(history, keys, "")
        for label, other in history.companions:
            series.update(_series(other, keys, label))
        out.append((title, series))
    return out


def _series(history: RunHistory, keys: list[str], label: str) -> dict[str, Series]:
    """The keys' training series (smoothed) and validation series, named for the legend
    (``label`` first: a companion's name)."""
    steps, epochs = history.step_metrics, history.epoch_metrics
    series: dict[str, Series] = {}
    for k in keys:
        if k not in steps:
            continue
        name, val_name = (k, f"val_{k}") if len(keys) > 1 else ("train", "val")
        if label:
            name, val_name = (f"{label} {k}" if len(keys) > 1 else label), f"{label} {val_name}"
        series[name] = smoothed(steps[k])
        val = epochs.get(f"val_{k}")
        if val is not None and len(val):
            series[val_name] = (val.x, val.y)
    return series


class CurvesPanel(Panel):
    """Loss (and accuracy or another metric) against the step; side by side when wide."""

    MIN_INTERVAL = 1.0
    PLACEHOLDER = "loss curves appear after the first steps"

    def data_version(self, history: RunHistory) -> object:
        return (history.curves_version, *(c.curves_version for _, c in history.companions))

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        groups = metric_groups(history)
        if not groups or not groups[0][1]:
            return Text(self.PLACEHOLDER, style="dim")
        side = len(groups) > 1 and size.width >= 2 * MIN_PLOT_WIDTH
        if not side and size.height < 2 * MIN_PLOT_HEIGHT:
            groups = groups[:1]  # too small for two plots: the loss alone
        w = size.width // len(groups) if side else size.width
        h = size.height if side or len(groups) == 1 else size.height // len(groups)
        plots = [LineChart(series, width=w, height=h, title=title) for title, series in groups]
        return SideBySide(*plots) if side else Group(*plots)
