"""Rich renderables moved out of the app: a box crops exactly, a chart draws its series
where the data puts them, images shrink by what their names say."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.text import Text

from nntui.viz.boxes import Boxed, block_mean, resample
from nntui.viz.line_chart import LineChart, SideBySide


def rendered(renderable: object, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text().splitlines()


def test_boxed_crops_and_pads_to_exactly_its_cells() -> None:
    tall = Text("\n".join(f"line {i} " + "x" * 40 for i in range(10)),
                no_wrap=True, overflow="crop")
    lines = rendered(Boxed(tall, 12, 3), width=30)
    assert len(lines) == 3
    assert lines[0].startswith("line 0") and lines[2].startswith("line 2")
    assert all(len(line.rstrip()) <= 12 for line in lines)


def test_a_rising_line_has_its_top_dots_on_the_right() -> None:
    x = np.arange(50, dtype=float)
    chart = LineChart({"loss": (x, x ** 2)}, width=40, height=12, title="t")
    rows = ["".join(s.text for s in line) for line in chart.lines()]
    assert len(rows) == 12 and all(len(r) == 40 for r in rows)
    plot = rows[1:-1]
    first_top = next(i for i, r in enumerate(plot) if r[8:].strip())
    last_bottom = max(i for i, r in enumerate(plot) if r[8:].strip())
    top_cols = [c for c, ch in enumerate(plot[first_top]) if c >= 8 and ch.strip()]
    bottom_cols = [c for c, ch in enumerate(plot[last_bottom]) if c >= 8 and ch.strip()]
    assert min(top_cols) > max(bottom_cols)  # y = x² is highest at the right end


def test_side_by_side_joins_lines_of_equal_height() -> None:
    a = LineChart({"a": ([0, 1], [0, 1])}, width=20, height=6)
    b = LineChart({"b": ([0, 1], [1, 0])}, width=15, height=6)
    lines = rendered(SideBySide(a, b), width=40)
    assert len(lines) == 6 and all(len(line) <= 35 for line in lines)


def test_resample_picks_nearest_cells_and_block_mean_averages_blocks() -> None:
    grid = np.arange(16).reshape(4, 4)
    assert resample(grid, 2, 2).tolist() == [[0, 2], [8, 10]]
    assert block_mean(grid.astype(float), 2).tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert block_mean(grid, 1) is grid
