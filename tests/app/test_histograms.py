"""The histogram panel: the newest snapshot on its own range, the over-time view shared."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.widgets.histograms import HistogramPanel
from nntui.engine import events as ev


def _snapshot(step: int, grad_scale: float, rng: np.random.Generator) -> ev.SnapshotTaken:
    kernel = rng.normal(0, 0.5, 192).astype(np.float32)  # a (8, 24) kernel, 192 values
    grads = rng.normal(0, grad_scale, 192).astype(np.float32)
    layer = ev.LayerSnapshot("dense_0", "Dense", {"kernel": kernel}, {"kernel": grads}, None,
                             float(np.linalg.norm(grads)), None)
    return ev.SnapshotTaken(step, 1, (layer,))


def _shrinking_gradients() -> RunHistory:
    """Gradients 1000× smaller at the end than at the start (a model that has learnt)."""
    rng = np.random.default_rng(0)
    h = RunHistory()
    for i, scale in enumerate([1.0] * 10 + [1e-3], start=1):
        h.apply(_snapshot(10 * i, scale, rng))
    return h


def _lines(panel: HistogramPanel, history: RunHistory, size: Size) -> list[str]:
    console = Console(width=size.width, height=size.height, color_system=None)
    with console.capture() as cap:
        console.print(panel.build(history, size))
    return cap.get().splitlines()


def test_the_latest_gradients_keep_their_shape_when_they_shrink() -> None:
    history = _shrinking_gradients()
    lines = _lines(HistogramPanel("h"), history, Size(100, 30))
    stats = next(line for line in lines if "std" in line)  # both columns on one line
    grads = stats[stats.index("mean", 1):]
    assert "n 192" in grads and "std 0 " not in grads
    title = next(i for i, line in enumerate(lines) if "grads · step 110" in line)
    start = lines[title].index("grads")
    axis = lines.index(stats) - 1  # the min/max line under the bars
    bars = [line[start:start + 48] for line in lines[title + 1:axis]]
    filled = {i for row in bars for i, c in enumerate(row) if c.strip()}
    assert len(filled) > 10  # a spread of bins, not one bar


def test_the_latest_histogram_counts_every_value() -> None:
    history = _shrinking_gradients()
    text = "\n".join(_lines(HistogramPanel("h"), history, Size(100, 30)))
    assert text.count("n 192") == 2


def test_over_time_edges_are_shared_by_all_kept_snapshots() -> None:
    history = _shrinking_gradients()
    found = history.histograms("dense_0", "grads", bins=16)
    assert found is not None
    counts, edges = found
    assert len(counts) == 11 and edges.shape == (17,)
    assert all(c.sum() == 192 for _, c in counts)
    assert counts[-1][1].max() == 192  # on the shared range the tiny gradients are one bin
