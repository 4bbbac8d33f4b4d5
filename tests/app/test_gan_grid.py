"""The GAN panel's sample grid shows every generated sample in the lines it claims."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from nntui.app.panels.generative import SAMPLE_GRID_LINES, sample_grid


def _render(grid: object, width: int) -> list[str]:
    console = Console(width=width, color_system="truecolor")
    lines = console.render_lines(grid, console.options.update(width=width), pad=False)
    return ["".join(seg.text for seg in line) for line in lines]


def test_sixteen_28_pixel_samples_are_all_drawn_at_half_size_in_a_96_cell_panel() -> None:
    samples = np.random.default_rng(0).random((16, 28, 28)).astype(np.float32)
    grid, lines = sample_grid(samples, 92)
    cols, image_width = grid.layout(92)
    assert image_width == 14 and cols == 6 and grid.rows(92) == 3  # 6 + 6 + 4 = 16
    assert lines == 3 * 7 + 2 == len(_render(grid, 92))  # 7 lines an image, 2 gaps
    assert lines <= SAMPLE_GRID_LINES


def test_a_wide_panel_keeps_full_size_when_it_fits_and_shrinking_averages_blocks() -> None:
    samples = np.zeros((4, 28, 28), np.float32)
    samples[:, :14, :14] = 1.0  # a bright top-left quarter
    grid, lines = sample_grid(samples, 120)
    assert grid.layout(120) == (4, 28) and lines == 14  # one row of 4 at full size
    tall, _ = sample_grid(np.repeat(samples, 4, axis=0), 120)  # 16 do not fit at 28 px
    small = tall.images[0].rgb
    assert small.shape[:2] == (14, 14)
    np.testing.assert_allclose(small[0, 0], small[6, 6])  # inside the bright quarter
    assert not np.allclose(small[0, 0], small[13, 13])  # the dark rest stays dark
