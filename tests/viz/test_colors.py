"""Colour maps: exact end points, the diverging centre, limits and the class palette."""

from __future__ import annotations

import numpy as np
import pytest
from rich.color import ColorType

from nntui.errors import ConfigError
from nntui.viz.colors import (
    CLASS_PALETTE,
    DIVERGING,
    GRAYSCALE,
    NAN_RGB,
    VIRIDIS,
    class_rgb,
    get_cmap,
    resolve_limits,
    rgb_style,
    value_to_color,
)


def test_grayscale_maps_limits_to_black_and_white_and_midpoint_to_128() -> None:
    out = GRAYSCALE.map(np.array([0.0, 0.5, 1.0]), vmin=0.0, vmax=1.0)
    # 0.5·255 = 127.5 rounds to even 128.
    assert out.tolist() == [[0, 0, 0], [128, 128, 128], [255, 255, 255]]


def test_values_outside_the_limits_are_clipped() -> None:
    out = GRAYSCALE.map(np.array([-5.0, 5.0]), vmin=0.0, vmax=1.0)
    assert out.tolist() == [[0, 0, 0], [255, 255, 255]]


def test_diverging_defaults_to_symmetric_limits_with_zero_white() -> None:
    out = DIVERGING.map(np.array([-2.0, 0.0, 2.0, 1.0]))
    assert out[0].tolist() == [33, 102, 172]  # -max|x| is the blue end stop
    assert out[1].tolist() == [255, 255, 255]  # zero is the white centre stop
    assert out[2].tolist() == [178, 24, 43]  # +max|x| is the red end stop
    assert out[3].tolist() == [239, 138, 98]  # +1 of ±2 is t = 0.75, the light-red stop


def test_viridis_end_points() -> None:
    out = VIRIDIS.map(np.array([3.0, 7.0]), vmin=3.0, vmax=7.0)
    assert out.tolist() == [[68, 1, 84], [253, 231, 37]]


def test_nan_and_inf_get_the_nan_colour() -> None:
    out = VIRIDIS.map(np.array([np.nan, np.inf, 0.0]), vmin=0.0, vmax=1.0)
    assert out[0].tolist() == list(NAN_RGB)
    assert out[1].tolist() == list(NAN_RGB)


def test_resolve_limits() -> None:
    assert resolve_limits(np.array([1.0, 3.0]), None, None) == (1.0, 3.0)
    assert resolve_limits(np.array([1.0, 3.0]), 0.0, None) == (0.0, 3.0)
    assert resolve_limits(np.full(4, 3.0), None, None) == (3.0, 4.0)  # constant → first colour
    assert resolve_limits(np.zeros(3), None, None, diverging=True) == (-1.0, 1.0)
    assert resolve_limits(np.array([-1.0, 4.0]), None, None, diverging=True) == (-4.0, 4.0)


def test_value_to_color_is_truecolor() -> None:
    color = value_to_color(1.0, "grayscale", 0.0, 1.0)
    assert color.type == ColorType.TRUECOLOR
    assert color.triplet is not None and tuple(color.triplet) == (255, 255, 255)


def test_get_cmap_aliases_and_error() -> None:
    assert get_cmap("gray") is GRAYSCALE
    assert get_cmap("BWR") is DIVERGING
    assert get_cmap(VIRIDIS) is VIRIDIS
    with pytest.raises(ConfigError, match="Received: cmap='jet'"):
        get_cmap("jet")


def test_class_palette_has_ten_distinct_colours_and_wraps() -> None:
    assert len(set(CLASS_PALETTE)) >= 10
    assert class_rgb(len(CLASS_PALETTE)) == class_rgb(0)


def test_rgb_style_is_cached() -> None:
    assert rgb_style(0x123456, 0xABCDEF) is rgb_style(0x123456, 0xABCDEF)
    style = rgb_style(0xFF0000, None)
    assert style.bgcolor is None
    assert style.color is not None and style.color.triplet == (255, 0, 0)
