"""Weight and gradient histograms of one chosen layer: now, and over time.

"Now" is the newest snapshot's values binned on their own range (with their own
mean, std and count); "over time" bins every kept snapshot on one shared range, so
the columns compare.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive

from nntui.app.history import RunHistory
from nntui.app.widgets.panel import Panel
from nntui.viz.histogram import Histogram, HistogramHistory

COLORS = {"weights": "#1f77b4", "grads": "#ff7f0e"}


class HistogramPanel(Panel):
    """Histograms of the ``layer``'s weights and gradients (``[`` / ``]`` choose the layer)."""

    MIN_INTERVAL = 1.0
    PLACEHOLDER = "histograms appear at the first snapshot"

    chosen: reactive[str] = reactive("", layout=False)
    """Name of the layer shown; empty: the first layer with weights."""

    def data_version(self, history: RunHistory) -> object:
        return (history.snapshot_version, self.chosen)

    def watch_chosen(self) -> None:
        self.border_subtitle = self.chosen
        self.refresh()

    def shown_layer(self, history: RunHistory) -> str | None:
        """The chosen layer, or the first with weights (a layer without weights, such
        as pooling or flatten, has no histograms to show)."""
        names = history.layer_names()
        if self.chosen in names:
            return self.chosen
        return names[0] if names else None

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        layer = self.shown_layer(history)
        if layer is None:
            return Text(self.PLACEHOLDER, style="dim")
        if not history.hist.get((layer, "weights")):
            return Text(f"{layer} has no weights: choose another layer with [ and ]", style="dim")
        col_w = max((size.width - 2) // 2, 8)
        columns = [self._column(history, layer, what, col_w, size.height)
                   for what in ("weights", "grads")]
        grid = Table.grid(padding=(0, 2))
        grid.add_row(*columns)
        return grid

    def _column(self, history: RunHistory, layer: str, what: str, width: int,
                height: int) -> RenderableType:
        latest = history.latest(layer, what)
        if what == "grads" and history.update_rule:
            return Text(f"no gradients: trained by {history.update_rule}", style="dim")
        stats = history.layers.get(layer)
        if what == "grads" and stats is not None and stats.frozen:
            return Text("no gradients: a frozen layer (not trained)", style="dim")
        if latest is None:
            return Text(f"no {what} yet", style="dim")
        step, values = latest
        bins = min(width, 48)
        over_time = height >= 12  # Histogram: bars + 3 lines; HistogramHistory: rows + 2
        bar_h = max(1, (height - 5) // 2 if over_time else height - 3)
        # the newest snapshot on its own range: shared edges would squash it into one bar
        # once the values shrink (gradients do) and count only the values inside them
        now = Histogram(values, bins=bins, width=width, height=bar_h,
                        title=column_title(what, step, width), color=COLORS[what])
        if not over_time:
            return now
        found = history.histograms(layer, what, bins=bins)
        assert found is not None
        counts, edges = found
        hist_h = max(1, height - 5 - bar_h)
        past = HistogramHistory(counts, edges, height=hist_h, width=width, title="over time")
        return Group(now, past)


def column_title(what: str, step: int, width: int) -> str:
    """``weights · step 2150``, in fewer letters when that is wider than the column (the
    step is never cut: at 80 columns it read ``weights · step 215`` for 2150)."""
    for title in (f"{what} · step {step}", f"{what} @ {step}", f"{what[0].upper()} @ {step}"):
        if len(title) <= width:
            return title
    return f"{step}"
