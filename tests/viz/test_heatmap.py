"""Heatmap: half-block and cell layouts, values in cells, and the min/max legend."""

from __future__ import annotations

import numpy as np

from nntui.viz.heatmap import Heatmap
from tests.viz.cells import colors, render_cells, render_text

V_LOW, V_HIGH = (68, 1, 84), (253, 231, 37)  # viridis end stops


def test_half_layout_puts_two_rows_in_a_cell() -> None:
    cells = render_cells(Heatmap(np.array([[0.0, 1.0], [1.0, 0.0]]), legend=False))
    assert len(cells) == 1
    assert colors(cells[0][0]) == (V_LOW, V_HIGH)
    assert colors(cells[0][1]) == (V_HIGH, V_LOW)


def test_legend_shows_min_and_max() -> None:
    lines = render_text(Heatmap(np.array([[0.0, 5.0], [10.0, 2.0]])))
    legend = lines[-1]
    assert legend.startswith("0 ")
    assert legend.endswith(" 10")


def test_legend_uses_explicit_limits_and_runs_low_to_high() -> None:
    heatmap = Heatmap(np.array([[0.2]]), vmin=-1.0, vmax=1.0, legend=True)
    cells = render_cells(heatmap)[-1]
    text = "".join(ch for ch, _ in cells)
    assert text.startswith("-1 ") and text.endswith(" 1")
    bar = [c for c in cells if c[0] == " " and colors(c)[1] is not None]
    first_bg, last_bg = colors(bar[0])[1], colors(bar[-1])[1]
    assert first_bg is not None and last_bg is not None
    # viridis: dark purple-blue at the low end, bright yellow at the high end.
    assert sum(first_bg) < sum(last_bg)


def test_confusion_matrix_prints_numbers_with_labels() -> None:
    cm = np.array([[5, 0], [1, 7]])
    heatmap = Heatmap(cm, row_labels=["a", "b"], col_labels=["a", "b"], show_values=True)
    lines = render_text(heatmap)
    # Cell width = max(3, widest number + 1) = 3; each number right-aligned then a space.
    assert lines[0] == "   a  b "
    assert lines[1] == "a  5  0 "
    assert lines[2] == "b  1  7 "
    cells = render_cells(heatmap)
    seven = cells[2][6]  # "b " + " 1 " + " 7 ": the "7" is the seventh cell
    assert seven[0] == "7"
    assert colors(seven) == ((0, 0, 0), V_HIGH)  # black text on the brightest colour
    zero = cells[1][6]
    assert zero[0] == "0"
    assert colors(zero) == ((255, 255, 255), V_LOW)  # white text on the darkest


def test_title_is_the_first_line() -> None:
    assert render_text(Heatmap(np.eye(2), title="attention head 0"))[0] == "attention head 0"


def test_half_layout_samples_columns_to_fit() -> None:
    cells = render_cells(Heatmap(np.zeros((2, 100)), legend=False), width=30)
    assert len(cells[0]) == 30


def test_diverging_heatmap_centres_zero() -> None:
    cells = render_cells(Heatmap(np.array([[0.0], [0.0]]), cmap="diverging", legend=False))
    assert colors(cells[0][0]) == ((255, 255, 255), (255, 255, 255))
