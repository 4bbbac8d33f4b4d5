"""Decision boundary and scatter: grid convention, cell colours, point glyphs."""

from __future__ import annotations

import numpy as np

from nntui.numeric import grid_points
from nntui.viz.colors import class_rgb
from nntui.viz.scatter2d import DecisionBoundary, Scatter
from tests.viz.cells import colors, render_cells, render_text


def test_grid_points_are_cell_centres_row_zero_at_ymin() -> None:
    pts = grid_points((0.0, 4.0, 0.0, 2.0), gw=4, gh=2)
    assert pts.tolist() == [
        [0.5, 0.5], [1.5, 0.5], [2.5, 0.5], [3.5, 0.5],
        [0.5, 1.5], [1.5, 1.5], [2.5, 1.5], [3.5, 1.5],
    ]  # fmt: skip


def _certain(classes: np.ndarray, k: int = 3) -> np.ndarray:
    """One-hot probabilities (GH, GW, K) for a class map."""
    return np.eye(k)[classes]


def test_cells_take_the_class_colour_with_ymax_on_top() -> None:
    classes = np.array([[0, 1], [1, 1]])  # row 0 is ymin
    boundary = DecisionBoundary(_certain(classes), base=(0, 0, 0), strength=(1.0, 1.0))
    cells = render_cells(boundary)
    assert len(cells) == 1
    # Top half = grid row 1 (ymax), bottom half = grid row 0 (ymin).
    assert cells[0][0][0] == "▀"
    assert colors(cells[0][0]) == (class_rgb(1), class_rgb(0))
    assert colors(cells[0][1]) == (class_rgb(1), class_rgb(1))


def test_point_glyph_in_its_cell_with_class_colour() -> None:
    classes = np.array([[0, 1], [1, 1]])
    boundary = DecisionBoundary(
        _certain(classes),
        points=np.array([[0.25, 0.25]]),  # column 0, grid row 0
        labels=np.array([2]),
        extent=(0.0, 1.0, 0.0, 1.0),
        base=(0, 0, 0),
        strength=(1.0, 1.0),
    )
    cells = render_cells(boundary)
    assert cells[0][0][0] == "●"
    r1, g1, b1 = class_rgb(1)
    r0, g0, b0 = class_rgb(0)
    mean = ((r1 + r0) // 2, (g1 + g0) // 2, (b1 + b0) // 2)  # behind a glyph: both halves
    assert colors(cells[0][0]) == (class_rgb(2), mean)
    assert cells[0][1][0] == "▀"  # the other cell is untouched


def test_uncertain_regions_fade_to_base() -> None:
    boundary = DecisionBoundary(np.full((2, 1), 0.5), base=(0, 0, 0), strength=(0.0, 1.0))
    assert colors(render_cells(boundary)[0][0]) == ((0, 0, 0), (0, 0, 0))


def test_binary_probabilities_choose_class_one_above_half() -> None:
    boundary = DecisionBoundary(np.array([[0.9], [0.1]]), base=(0, 0, 0), strength=(1.0, 1.0))
    # Row 1 (top) has p = 0.1 -> class 0; row 0 (bottom) p = 0.9 -> class 1.
    assert colors(render_cells(boundary)[0][0]) == (class_rgb(0), class_rgb(1))


def test_points_outside_the_extent_are_skipped() -> None:
    boundary = DecisionBoundary(
        np.zeros((2, 2)), points=np.array([[5.0, 5.0]]), labels=np.array([1]),
        extent=(0.0, 1.0, 0.0, 1.0),
    )  # fmt: skip
    assert "●" not in "".join(render_text(boundary))


def test_scatter_half_block_dots() -> None:
    points = np.array([[0.5, 1.5], [0.5, 0.5], [1.5, 0.5]])
    scatter = Scatter(points, np.array([0, 1, 0]), extent=(0.0, 2.0, 0.0, 2.0), width=2, height=1)
    cells = render_cells(scatter)
    # Cell 0: class 0 in the top half over class 1 in the bottom half.
    assert cells[0][0][0] == "▀"
    assert colors(cells[0][0]) == (class_rgb(0), class_rgb(1))
    # Cell 1: only the bottom half holds a point.
    assert cells[0][1][0] == "▄"
    assert colors(cells[0][1]) == (class_rgb(0), None)
    assert render_text(scatter)[1] == "x 0 … 2   y 0 … 2"


def test_scatter_legend() -> None:
    scatter = Scatter(np.zeros((1, 2)), width=4, height=1, class_names=["real", "fake"])
    assert render_text(scatter)[-1].rstrip() == "■ real  ■ fake"
