"""Colour maps, value → colour mapping and a cached Style factory.

Every renderable in :mod:`nntui.viz` turns numbers into 24-bit colours here, in one
vectorised step (:meth:`Colormap.map`), and turns colour pairs into Rich styles through
:func:`rgb_style`, which caches them: a 28×28 image needs a few hundred styles, and
building a ``Style`` costs microseconds while a dict lookup costs nanoseconds.

Colours travel as ``uint8`` arrays ``(..., 3)`` or packed ints ``0xRRGGBB``.

Example:
    >>> VIRIDIS.color(0.0, vmin=0.0, vmax=1.0).triplet.hex
    '#440154'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.color import Color
from rich.style import Style

from nntui.errors import ConfigError

RGB = tuple[int, int, int]

#: Colour drawn for NaN and infinite values: loud on purpose, a diverging run must show.
NAN_RGB: RGB = (255, 0, 255)
_LUT_SIZE = 257


@dataclass(frozen=True)
class Colormap:
    """A colour map: a lookup table from ``t ∈ [0, 1]`` to RGB.

    The table has 257 entries so that ``t = 0.5`` (and every multiple of 1/256) hits an
    entry exactly: zero on a diverging map is pure white, not a near miss.

    Args:
        name: Name used by :func:`get_cmap`.
        stops: ``(position, (r, g, b))`` anchors, positions ascending from 0 to 1;
            the table interpolates linearly between them.
        diverging: True for maps centred on zero (weights, gradients): when no limits
            are given they default to ``±max|x|`` so that zero is the middle colour.
    """

    name: str
    stops: tuple[tuple[float, RGB], ...]
    diverging: bool = False
    lut: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pos = np.array([p for p, _ in self.stops], dtype=np.float64)  # (S,)
        rgb = np.array([c for _, c in self.stops], dtype=np.float64)  # (S, 3)
        t = np.linspace(0.0, 1.0, _LUT_SIZE)
        lut = np.stack([np.interp(t, pos, rgb[:, k]) for k in range(3)], axis=-1)  # (257, 3)
        object.__setattr__(self, "lut", np.rint(lut).astype(np.uint8))

    def map(
        self, values: np.ndarray, vmin: float | None = None, vmax: float | None = None
    ) -> np.ndarray:
        """Map an array of values to RGB.

        Args:
            values: Any shape; NaN and ±inf become :data:`NAN_RGB`.
            vmin: Value drawn as the first colour; default from the data.
            vmax: Value drawn as the last colour; default from the data.

        Returns:
            ``uint8`` array of shape ``values.shape + (3,)``.
        """
        values = np.asarray(values, dtype=np.float64)
        lo, hi = resolve_limits(values, vmin, vmax, diverging=self.diverging)
        t = (values - lo) / (hi - lo)
        finite = np.isfinite(t)
        t = np.clip(np.where(finite, t, 0.0), 0.0, 1.0)
        idx = np.rint(t * (_LUT_SIZE - 1)).astype(np.intp)
        out = self.lut[idx]  # (..., 3)
        if not finite.all():
            out[~finite] = NAN_RGB
        return out

    def color(self, value: float, vmin: float, vmax: float) -> Color:
        """Map one value to a Rich truecolor :class:`~rich.color.Color`."""
        r, g, b = (int(c) for c in self.map(np.array([value]), vmin, vmax)[0])
        return Color.from_rgb(r, g, b)


def resolve_limits(
    values: np.ndarray, vmin: float | None, vmax: float | None, *, diverging: bool = False
) -> tuple[float, float]:
    """Fill in missing colour limits from the finite data and keep them apart.

    Args:
        values: The data the limits are for.
        vmin: Explicit lower limit, or None for the data's minimum.
        vmax: Explicit upper limit, or None for the data's maximum.
        diverging: If both limits are missing, use ``(-m, m)`` with ``m = max|x|``.

    Returns:
        ``(lo, hi)`` with ``hi > lo``. A degenerate range ``lo == hi`` becomes
        ``(lo, lo + 1)`` so a constant array shows the map's first colour (a dead ReLU
        map is black, not mid-grey), or ``(-1, 1)`` around zero for a diverging map.
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if diverging and vmin is None and vmax is None:
        m = float(np.abs(finite).max()) if finite.size else 0.0
        return (-m, m) if m > 0 else (-1.0, 1.0)
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


GRAYSCALE = Colormap("grayscale", ((0.0, (0, 0, 0)), (1.0, (255, 255, 255))))

#: Blue (negative) – white (zero) – red (positive), after ColorBrewer RdBu.
DIVERGING = Colormap(
    "diverging",
    (
        (0.0, (33, 102, 172)),
        (0.25, (103, 169, 207)),
        (0.5, (255, 255, 255)),
        (0.75, (239, 138, 98)),
        (1.0, (178, 24, 43)),
    ),
    diverging=True,
)

#: Matplotlib's viridis sampled at nine points: perceptually uniform, colour-blind safe.
VIRIDIS = Colormap(
    "viridis",
    (
        (0.0, (68, 1, 84)),
        (0.125, (71, 45, 123)),
        (0.25, (59, 82, 139)),
        (0.375, (44, 114, 142)),
        (0.5, (33, 145, 140)),
        (0.625, (40, 174, 128)),
        (0.75, (94, 201, 98)),
        (0.875, (173, 220, 48)),
        (1.0, (253, 231, 37)),
    ),
)

COLORMAPS: dict[str, Colormap] = {c.name: c for c in (GRAYSCALE, DIVERGING, VIRIDIS)}
COLORMAPS.update({"gray": GRAYSCALE, "greys": GRAYSCALE, "rdbu": DIVERGING, "bwr": DIVERGING})

CmapLike = str | Colormap


def get_cmap(cmap: CmapLike) -> Colormap:
    """Return a :class:`Colormap` given one or its name (``"grayscale"``, ``"diverging"``,
    ``"viridis"``, or an alias such as ``"gray"`` or ``"bwr"``).

    Raises:
        ConfigError: The name is unknown.
    """
    if isinstance(cmap, Colormap):
        return cmap
    try:
        return COLORMAPS[cmap.lower()]
    except KeyError:
        names = ", ".join(sorted(COLORMAPS))
        raise ConfigError(f"cmap must be one of {names}. Received: cmap={cmap!r}") from None


def value_to_color(value: float, cmap: CmapLike, vmin: float, vmax: float) -> Color:
    """Map one value to a Rich colour with explicit limits (values outside are clipped)."""
    return get_cmap(cmap).color(value, vmin, vmax)


#: Categorical palette for classes: Tableau 10 plus two, distinct on dark and light.
CLASS_PALETTE: tuple[RGB, ...] = (
    (31, 119, 180),  # blue
    (255, 127, 14),  # orange
    (44, 160, 44),  # green
    (214, 39, 40),  # red
    (148, 103, 189),  # purple
    (140, 86, 75),  # brown
    (227, 119, 194),  # pink
    (127, 127, 127),  # grey
    (188, 189, 34),  # olive
    (23, 190, 207),  # cyan
    (255, 221, 87),  # yellow
    (0, 0, 139),  # navy
)


def class_rgb(index: int) -> RGB:
    """RGB of class ``index``; the palette repeats after twelve classes."""
    return CLASS_PALETTE[int(index) % len(CLASS_PALETTE)]


def class_color(index: int) -> Color:
    """Rich colour of class ``index`` (see :data:`CLASS_PALETTE`)."""
    return Color.from_rgb(*class_rgb(index))


def class_rgb_array(labels: np.ndarray) -> np.ndarray:
    """Vectorised :func:`class_rgb`: int labels ``(...)`` → ``uint8 (..., 3)``."""
    palette = np.array(CLASS_PALETTE, dtype=np.uint8)  # (P, 3)
    return palette[np.asarray(labels, dtype=np.intp) % len(palette)]


def pack_rgb(rgb: np.ndarray) -> np.ndarray:
    """``uint8 (..., 3)`` → packed ``int64 (...)`` as ``0xRRGGBB``."""
    rgb = rgb.astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def blend(
    a: np.ndarray | Sequence[int], b: np.ndarray | Sequence[int], t: np.ndarray | float
) -> np.ndarray:
    """Linear blend ``a + (b - a)·t`` of RGB arrays; ``t`` broadcasts over the last axis."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)[..., None]
    return np.rint(a + (b - a) * t).astype(np.uint8)


def contrast_rgb(rgb: RGB | np.ndarray) -> RGB:
    """Black or white, whichever reads better on ``rgb`` (Rec. 709 luminance)."""
    r, g, b = (int(c) for c in rgb)
    return (0, 0, 0) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 140 else (255, 255, 255)


def contrast_packed(rgb: np.ndarray) -> np.ndarray:
    """Vectorised :func:`contrast_rgb`: ``uint8 (..., 3)`` → packed black or white."""
    luminance = rgb.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])  # (...)
    return np.where(luminance > 140, 0x000000, 0xFFFFFF).astype(np.int64)


_COLORS: dict[int, Color] = {}
_STYLES: dict[tuple[int, int, bool], Style] = {}
_CACHE_LIMIT = 1 << 16


def packed_color(packed: int) -> Color:
    """Cached truecolor :class:`Color` for a packed ``0xRRGGBB`` int."""
    color = _COLORS.get(packed)
    if color is None:
        if len(_COLORS) >= _CACHE_LIMIT:
            _COLORS.clear()
        color = Color.from_rgb(packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF)
        _COLORS[packed] = color
    return color


def rgb_style(fg: int | None, bg: int | None = None, bold: bool = False) -> Style:
    """Cached ``Style`` with packed ``0xRRGGBB`` foreground and background (None: unset)."""
    key = (-1 if fg is None else int(fg), -1 if bg is None else int(bg), bold)
    style = _STYLES.get(key)
    if style is None:
        if len(_STYLES) >= _CACHE_LIMIT:
            _STYLES.clear()
        style = Style(
            color=None if fg is None else packed_color(int(fg)),
            bgcolor=None if bg is None else packed_color(int(bg)),
            bold=bold or None,
        )
        _STYLES[key] = style
    return style
