"""Render a renderable to cells: the one helper every viz test uses."""

from __future__ import annotations

from rich.color import Color
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style

Cell = tuple[str, Style | None]


def console(width: int = 80) -> Console:
    """A truecolor console that records and never writes to the test's stdout."""
    return Console(
        width=width,
        color_system="truecolor",
        force_terminal=True,
        record=True,
        file=open("/dev/null", "w"),  # noqa: SIM115 - closed with the console
        legacy_windows=False,
    )


def render_lines(renderable: RenderableType, width: int = 80) -> list[list[Segment]]:
    """Segments per line, exactly as the renderable produced them (no padding)."""
    c = console(width)
    return c.render_lines(renderable, c.options, pad=False, new_lines=False)


def render_cells(renderable: RenderableType, width: int = 80) -> list[list[Cell]]:
    """One ``(character, style)`` per terminal cell, line by line."""
    return [
        [(ch, seg.style) for seg in line if not seg.control for ch in seg.text]
        for line in render_lines(renderable, width)
    ]


def render_text(renderable: RenderableType, width: int = 80) -> list[str]:
    """Plain text per line, trailing spaces kept."""
    return ["".join(ch for ch, _ in line) for line in render_cells(renderable, width)]


def rgb(style: Style | None, part: str = "color") -> tuple[int, int, int] | None:
    """The truecolor triplet of a style's foreground (``"color"``) or ``"bgcolor"``."""
    if style is None:
        return None
    color: Color | None = getattr(style, part)
    if color is None:
        return None
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def colors(cell: Cell) -> tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]:
    """``(foreground, background)`` RGB of one cell."""
    return rgb(cell[1], "color"), rgb(cell[1], "bgcolor")
