"""Probability bars and the norm series."""

from __future__ import annotations

import numpy as np

from nntui.viz.bars import NormSeries, ProbabilityBars, horizontal_bar
from nntui.viz.colors import class_rgb
from tests.viz.cells import colors, render_cells, render_text


def test_horizontal_bar_eighths() -> None:
    assert horizontal_bar(0.5, 10) == "█████     "
    assert horizontal_bar(0.0625, 4) == "▎   "  # 0.0625 · 32 = 2 eighths
    assert horizontal_bar(1.0, 3) == "███"
    assert horizontal_bar(1.7, 3) == "███"  # clipped
    assert horizontal_bar(0.0, 2) == "  "


def test_probability_bars_mark_prediction_and_truth() -> None:
    bars = ProbabilityBars(np.array([0.25, 0.75]), ["a", "b"], width=4, true_label=0)
    lines = render_text(bars)
    assert lines[0] == "a   █     25.0% ✗"
    assert lines[1] == "b ▶ ███   75.0%"


def test_probability_bar_colour_is_the_class_colour() -> None:
    cells = render_cells(ProbabilityBars(np.array([0.0, 1.0]), width=2))
    bar_cell = cells[1][4]  # "1 ▶ " then the bar
    assert bar_cell[0] == "█"
    assert colors(bar_cell)[0] == class_rgb(1)


def test_top_k_sorts_by_probability() -> None:
    lines = render_text(ProbabilityBars(np.array([0.1, 0.6, 0.3]), top_k=2, width=4))
    assert [line[0] for line in lines] == ["1", "2"]


def test_norm_series_log_scale() -> None:
    # log10: -3, -2, -1, 0 -> positions 0, 1/3, 2/3, 1 -> 1 + round(7r) = 1, 3, 6, 8 eighths.
    lines = render_text(NormSeries(np.array([1e-3, 1e-2, 1e-1, 1.0]), height=1))
    assert lines[0] == "▁▃▆█"
    assert lines[1] == "0  3"
    assert lines[2] == "min 0.001  max 1 (log)"


def test_norm_series_averages_long_series_to_fit() -> None:
    cells = render_cells(NormSeries(np.ones(100), height=1), width=10)
    assert len(cells[0]) == 10


def test_norm_series_empty() -> None:
    assert render_text(NormSeries(np.array([])))[-1] == "no data yet"


def test_norm_series_stretches_a_short_series_over_the_width() -> None:
    # Two values over 6 columns: each fills its half; the axis carries the given labels.
    lines = render_text(NormSeries(np.array([1e-2, 1.0]), width=6, height=1, stretch=True,
                                   x_labels=("step 10", "20")))
    assert lines[0] == "▁▁▁███"
    assert lines[1] == "min 0.01  max 1 (log)"  # "step 10" + "20" need 9 columns: no axis


def test_norm_series_axis_uses_the_given_labels() -> None:
    lines = render_text(NormSeries(np.array([1e-2, 1.0]), width=12, height=1, stretch=True,
                                   x_labels=("step 10", "20")))
    assert lines[0] == "▁" * 6 + "█" * 6
    assert lines[1] == "step 10   20"


def test_probability_bars_keep_every_percentage_whole_when_narrow() -> None:
    """At 80×24 the probe's bars get ~22 cells: the bar shrinks, the figures stay."""
    bars = ProbabilityBars(np.array([0.999, 0.001, 0.0, 0.0]),
                           ["circle", "square", "triangle", "cross"], true_label=0)
    lines = render_text(bars, width=22)
    assert lines[0].rstrip().endswith("99.9% ✓") and lines[1].rstrip().endswith("0.1%")
    assert all(len(line.rstrip()) <= 22 for line in lines)
