"""ImageGrid layout: widths, columns, captions, shrinking."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.errors import ShapeError
from nntui.viz.grid import ImageGrid
from tests.viz.cells import colors, render_cells, render_text


def test_width_for_n_images_and_cols() -> None:
    grid = ImageGrid(np.zeros((5, 6, 8)), cols=3, labels=["a", "bb", "long label", "d", "e"])
    assert grid.width(80) == 3 * 8 + 2 * 1
    lines = render_text(grid)
    # Two rows of images: 3 lines each (6 pixel rows) plus a caption line each.
    assert len(lines) == 8
    assert lines[3] == "   a        bb    long lab"
    assert lines[7] == "   d        e    "


def test_cols_default_to_what_fits() -> None:
    grid = ImageGrid(np.zeros((10, 4, 4)))
    assert grid.layout(20) == (4, 4)  # (20 + 1) // (4 + 1)
    assert grid.width(20) == 4 * 4 + 3


def test_images_wider_than_the_space_are_shrunk() -> None:
    grid = ImageGrid(np.zeros((4, 28, 28)))
    assert grid.layout(20) == (1, 14)  # ceil(28 / 20) = 2


def test_each_image_has_its_own_colour_scale_by_default() -> None:
    images = np.stack([np.array([[0.0], [1.0]]), np.array([[0.0], [10.0]])])
    cells = render_cells(ImageGrid(images, gap=1))
    assert colors(cells[0][0]) == ((0, 0, 0), (255, 255, 255))
    assert colors(cells[0][2]) == ((0, 0, 0), (255, 255, 255))
    shared = render_cells(ImageGrid(images, gap=1, shared_limits=True))
    # 1 of 0..10: t = 0.1 -> table entry rint(25.6) = 26 -> 26·255/256 = 25.9 -> 26.
    assert colors(shared[0][0])[1] == (26, 26, 26)


def test_channel_last_single_channel_is_accepted() -> None:
    assert ImageGrid(np.zeros((2, 4, 4, 1))).width(80) == 9


def test_labels_must_match_images() -> None:
    with pytest.raises(ShapeError, match="2 labels for 3 images"):
        ImageGrid(np.zeros((3, 2, 2)), labels=["a", "b"])
