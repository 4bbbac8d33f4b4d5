"""Histogram bars in eighth blocks, labels, and histograms over time."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.errors import ShapeError
from nntui.viz.histogram import Histogram, HistogramHistory, bar_rows
from tests.viz.cells import colors, render_cells, render_text

V_LOW, V_HIGH = (68, 1, 84), (253, 231, 37)


def test_bar_heights_for_known_counts() -> None:
    # Tallest bar = 2 lines = 16 eighths; 1, 2, 4 of 4 -> 4, 8, 16 eighths.
    assert bar_rows(np.array([0, 1, 2, 4]), height=2) == ["   █", " ▄██"]


def test_a_nonzero_bin_never_vanishes() -> None:
    # 1/1000 of one line rounds to 0 eighths; it is shown as one.
    assert bar_rows(np.array([1, 1000]), height=1) == ["▁█"]


def test_all_zero_counts_draw_blank_rows() -> None:
    assert bar_rows(np.zeros(3), height=2) == ["   ", "   "]


def test_histogram_from_values_with_labels() -> None:
    lines = render_text(Histogram(np.array([0.0, 0.0, 0.0, 1.0]), bins=2, width=2, height=1))
    # Counts [3, 1]: 8 eighths and round(8/3) = 3 eighths.
    assert lines[0] == "█▃"
    assert lines[1] == "0"  # "0" + "1" do not fit beside each other in 2 columns
    assert lines[2] == "mean 0.25  std 0.433  n 4"


def test_histogram_from_counts_axis_and_stats() -> None:
    hist = Histogram.from_counts(np.array([0, 1, 2, 4]), np.arange(5.0), width=4, height=2)
    lines = render_text(hist)
    assert lines[:2] == ["   █", " ▄██"]
    assert lines[2] == "0  4"
    # mean of centres: (1·1.5 + 2·2.5 + 4·3.5) / 7 = 2.93
    assert lines[3].startswith("mean 2.93")
    assert lines[3].endswith("n 7")


def test_fewer_columns_than_bins_merge_neighbours() -> None:
    hist = Histogram.from_counts(np.array([1, 1, 1, 3]), np.arange(5.0), width=2, height=1)
    assert hist.columns(80).tolist() == [2, 4]
    assert render_text(hist)[0] == "▄█"  # 2 of 4 is 4 of 8 eighths


def test_more_columns_than_bins_repeat_each_bin() -> None:
    hist = Histogram.from_counts(np.array([1, 2]), np.arange(3.0), width=4, height=1)
    assert render_text(hist)[0] == "▄▄██"


def test_nonfinite_values_are_counted_apart() -> None:
    lines = render_text(Histogram(np.array([0.0, 1.0, np.nan]), bins=2, width=20, height=1))
    assert lines[-1].endswith("nan/inf 1")
    assert "n 2" in lines[-1]


def test_from_counts_rejects_mismatched_edges() -> None:
    with pytest.raises(ShapeError):
        Histogram.from_counts(np.ones(3), np.arange(3.0))


def test_history_is_a_time_by_bin_heatmap_with_high_bins_on_top() -> None:
    history = [(0, np.array([1, 0])), (10, np.array([0, 1]))]
    cells = render_cells(HistogramHistory(history, edges=np.array([-1.0, 0.0, 1.0]), height=1))
    body = cells[0]
    assert "".join(ch for ch, _ in body[:3]) == " 1 "  # top value edge as the label
    # Step 0 has everything in the low bin (bottom half), step 10 in the high bin (top).
    assert colors(body[3]) == (V_LOW, V_HIGH)
    assert colors(body[4]) == (V_HIGH, V_LOW)


def test_history_rejects_changing_bin_counts() -> None:
    with pytest.raises(ShapeError):
        HistogramHistory([(0, np.ones(3)), (1, np.ones(4))])


def test_empty_history_says_so() -> None:
    assert render_text(HistogramHistory([]))[-1] == "no data yet"


@pytest.mark.parametrize("width", [12, 18, 24, 40])
def test_stats_line_fits_its_width_with_whole_numbers(width: int) -> None:
    """At 80×24 the histogram is 18 cells wide: the stats shorten, a figure is never cut."""
    values = np.random.default_rng(0).normal(0.0491, 0.3772, 2048)
    h = Histogram(values, bins=width, width=width, height=3)
    line = render_text(h, width=width)[-1].rstrip()
    assert len(line) <= width
    numbers = [float(t) for t in line.replace("μ", " ").replace("σ", " ").split()
               if t not in ("mean", "std", "n")]
    assert numbers[0] == pytest.approx(values.mean(), rel=0.06, abs=0.006)
    assert numbers[1] == pytest.approx(values.std(), rel=0.06)
