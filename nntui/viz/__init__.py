"""Arrays → Rich renderables: every panel of the app is drawn here.

Pure functions and classes from NumPy arrays to Rich renderables; no Textual, no
engine, no training. An app widget is a thin adapter that holds one of these (as
Textual's ``Sparkline`` widget wraps its ``sparkline`` renderable).
"""

from __future__ import annotations

from nntui.numeric import data_extent, fmt_number, grid_points
from nntui.viz.bars import NormSeries, ProbabilityBars, horizontal_bar
from nntui.viz.colors import (
    CLASS_PALETTE,
    DIVERGING,
    GRAYSCALE,
    VIRIDIS,
    Colormap,
    class_color,
    class_rgb,
    get_cmap,
    resolve_limits,
    value_to_color,
)
from nntui.viz.grid import ImageGrid
from nntui.viz.heatmap import Heatmap
from nntui.viz.histogram import Histogram, HistogramHistory
from nntui.viz.image import HalfBlockImage, half_block_lines
from nntui.viz.scatter2d import DecisionBoundary, Scatter
from nntui.viz.text import matrix_table

__all__ = [
    "CLASS_PALETTE",
    "DIVERGING",
    "GRAYSCALE",
    "VIRIDIS",
    "Colormap",
    "DecisionBoundary",
    "HalfBlockImage",
    "Heatmap",
    "Histogram",
    "HistogramHistory",
    "ImageGrid",
    "NormSeries",
    "ProbabilityBars",
    "Scatter",
    "class_color",
    "class_rgb",
    "data_extent",
    "fmt_number",
    "get_cmap",
    "grid_points",
    "half_block_lines",
    "horizontal_bar",
    "matrix_table",
    "resolve_limits",
    "value_to_color",
]
