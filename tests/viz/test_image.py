"""HalfBlockImage: exact cells and colours, padding, scaling and measurement."""

from __future__ import annotations

import numpy as np
import pytest
from rich.measure import Measurement

from nntui.errors import ShapeError
from nntui.viz.image import HalfBlockImage
from tests.viz.cells import colors, console, render_cells

BLACK, WHITE = (0, 0, 0), (255, 255, 255)


def test_two_by_two_grayscale_is_two_half_blocks() -> None:
    cells = render_cells(HalfBlockImage(np.array([[0.0, 1.0], [1.0, 0.0]])))
    assert len(cells) == 1
    assert [ch for ch, _ in cells[0]] == ["▀", "▀"]
    # Foreground is the top pixel, background the bottom one.
    assert colors(cells[0][0]) == (BLACK, WHITE)
    assert colors(cells[0][1]) == (WHITE, BLACK)


def test_odd_height_pads_the_last_line_with_no_background() -> None:
    image = np.array([[0.0], [1.0], [0.5]])
    cells = render_cells(HalfBlockImage(image, vmin=0.0, vmax=1.0))
    assert len(cells) == 2
    assert colors(cells[0][0]) == (BLACK, WHITE)
    assert colors(cells[1][0]) == ((128, 128, 128), None)


def test_rgb_image_uses_its_own_colours() -> None:
    image = np.array([[[1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]]])  # (2, 1, 3): red over blue
    cells = render_cells(HalfBlockImage(image))
    assert colors(cells[0][0]) == ((255, 0, 0), (0, 0, 255))


def test_explicit_limits_place_zero_in_the_middle() -> None:
    cells = render_cells(HalfBlockImage(np.zeros((2, 1)), vmin=-1.0, vmax=1.0))
    assert colors(cells[0][0]) == ((128, 128, 128), (128, 128, 128))


def test_integer_upscaling_repeats_pixels() -> None:
    cells = render_cells(HalfBlockImage(np.array([[0.0, 1.0], [1.0, 0.0]]), scale=2))
    assert len(cells) == 2 and len(cells[0]) == 4
    # Pixel rows 0 and 1 both come from image row 0: [0, 0, 1, 1].
    assert [colors(c) for c in cells[0]] == [(BLACK, BLACK)] * 2 + [(WHITE, WHITE)] * 2
    assert [colors(c) for c in cells[1]] == [(WHITE, WHITE)] * 2 + [(BLACK, BLACK)] * 2


def test_wide_image_is_shrunk_by_block_means_to_fit() -> None:
    image = np.zeros((4, 8))
    image[:, 4:] = 1.0  # left half black, right half white
    cells = render_cells(HalfBlockImage(image), width=4)
    # ceil(8 / 4) = 2: a 2×4 image, one line of four cells.
    assert len(cells) == 1
    assert [colors(c) for c in cells[0]] == [(BLACK, BLACK)] * 2 + [(WHITE, WHITE)] * 2


@pytest.mark.parametrize(
    ("kwargs", "width", "expected"),
    [
        ({}, 80, 28),
        ({"scale": None}, 80, 56),  # largest integer scale: 80 // 28 = 2
        ({"scale": None, "max_width": 20}, 80, 14),  # shrink by ceil(28 / 20) = 2
        ({"scale": 3}, 60, 56),  # 84 does not fit in 60; 2× does
    ],
)
def test_measure(kwargs: dict, width: int, expected: int) -> None:
    c = console(width)
    image = HalfBlockImage(np.zeros((28, 28)), **kwargs)
    assert Measurement.get(c, c.options, image) == Measurement(expected, expected)


def test_merged_runs_still_cover_every_cell() -> None:
    cells = render_cells(HalfBlockImage(np.zeros((28, 28))))
    assert len(cells) == 14
    assert all(len(line) == 28 for line in cells)


def test_bad_shape_raises_shape_error() -> None:
    with pytest.raises(ShapeError, match=r"Received: shape=\(2, 2, 2\)"):
        HalfBlockImage(np.zeros((2, 2, 2)))
