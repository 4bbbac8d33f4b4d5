"""The loss surface renderable: the loss's colours on a log scale, the path's glyphs in
the cells of their coordinates, unreached cells dark."""

from __future__ import annotations

import numpy as np

from nntui.viz.colors import get_cmap
from nntui.viz.landscape import UNREACHED_RGB, LossSurface, bilinear
from tests.viz.cells import colors, render_cells, render_text

AXIS = np.linspace(-1.0, 1.0, 5)


def _bowl() -> np.ndarray:
    a, b = np.meshgrid(AXIS, AXIS)
    return 0.1 + a ** 2 + b ** 2  # (B, A), minimum 0.1 at the centre


def test_bilinear_meets_the_grid_at_its_corners_and_halfway_between() -> None:
    grid = np.array([[0.0, 2.0], [4.0, 6.0]])
    out = bilinear(grid, 3, 3)
    np.testing.assert_allclose(out, [[0, 1, 2], [2, 3, 4], [4, 5, 6]])


def test_the_path_is_drawn_where_its_coordinates_are() -> None:
    path = np.array([[-1.0, 1.0], [-0.5, 0.5], [0.0, 0.0]])  # top left to the centre
    surface = LossSurface(AXIS, AXIS, _bowl(), path, width=21, height=12, levels=4)
    text = render_text(surface, 21)
    lines = 10  # the picture: height minus the axis and the legend lines
    assert text[0][0] == "○"
    assert text[lines // 2 - 1][10] == "✚" or text[lines // 2][10] == "✚"
    assert sum(row.count("•") for row in text[:lines]) == 1
    assert text[lines].startswith("α -1") and "loss 0.1" in text[lines + 1]


def test_colours_follow_the_log_loss_and_unreached_cells_are_dark() -> None:
    losses = _bowl()
    losses[-1] = np.nan  # the top row not computed yet
    cells = render_cells(LossSurface(AXIS, AXIS, losses, None, 21, 12, levels=1), 21)
    fg, _ = colors(cells[0][0])
    assert fg == UNREACHED_RGB
    cmap = get_cmap("viridis")  # position of each cell's colour on the map: low loss dark
    pos = {tuple(int(v) for v in cmap.lut[i]): i for i in range(len(cmap.lut))}
    t = np.array([[pos.get(colors(c)[0], -1) for c in row] for row in cells[1:10]])
    line, col = np.unravel_index(np.argmin(np.where(t < 0, 999, t)), t.shape)
    assert abs(col - 10) <= 1 and abs(line + 1 - 5) <= 1  # the bowl's bottom, mid-picture
    assert t[-1, 0] > t[4, 10] and t[-1, -1] > t[4, 10]
