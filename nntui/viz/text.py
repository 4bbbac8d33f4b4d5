"""Number formatting and numeric tables for the step-through inspector.

Example:
    >>> fmt_number(0.000012345)
    '1.23e-5'
    >>> fmt_number(1234.5)
    '1.23e3'
"""

from __future__ import annotations

import numpy as np
from rich import box
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nntui.errors import ShapeError
from nntui.numeric import fmt_number
from nntui.viz.colors import CmapLike, contrast_rgb, get_cmap, resolve_limits

HIGHLIGHT_STYLE = Style(bold=True, reverse=True)


def _visible(n: int, limit: int) -> list[int | None]:
    """Indices to show out of ``n``: all, or the first and last ones with a ``None`` gap."""
    limit = max(2, limit)
    if n <= limit:
        return list(range(n))
    head = (limit + 1) // 2
    tail = limit - head
    return [*range(head), None, *range(n - tail, n)]


def as_matrix(array: np.ndarray) -> np.ndarray:
    """View a 0-, 1- or 2-D array as 2-D (a vector becomes one row).

    Raises:
        ShapeError: More than two dimensions.
    """
    a = np.asarray(array)
    if a.ndim > 2:
        raise ShapeError(
            f"matrix_table needs at most 2 dimensions; slice it first. Received: shape={a.shape}"
        )
    return a.reshape(1, -1) if a.ndim < 2 else a


def matrix_table(
    array: np.ndarray,
    max_rows: int = 8,
    max_cols: int = 8,
    highlight: tuple[int, int] | None = None,
    *,
    title: str | None = None,
    cmap: CmapLike | None = None,
    digits: int = 3,
) -> Table:
    """A Rich table of an array's numbers, eliding the middle of big arrays.

    Rows beyond ``max_rows`` collapse into a "⋮" row and columns beyond ``max_cols``
    into a "…" column, keeping the first and last ones. Headers are the original
    indices. The caption gives the full shape and dtype.

    Args:
        array: Scalar, vector (one row) or matrix.
        max_rows: Rows shown at most (besides the gap row).
        max_cols: Columns shown at most (besides the gap column).
        highlight: ``(row, col)`` of the cell to draw in reverse video, e.g. the weight
            the inspector is explaining. Negative indices count from the end.
        title: Table title.
        cmap: Tint each cell's background by its value through this colour map.
        digits: Significant digits per number.

    Returns:
        A :class:`rich.table.Table`.
    """
    original_shape = np.shape(array)
    m = as_matrix(array)
    rows, cols = _visible(m.shape[0], max_rows), _visible(m.shape[1], max_cols)
    target = None
    if highlight is not None:
        target = (highlight[0] % m.shape[0], highlight[1] % m.shape[1])
    colormap = get_cmap(cmap) if cmap is not None else None
    limits = resolve_limits(m, None, None, diverging=colormap.diverging) if colormap else None

    dtype = getattr(array, "dtype", m.dtype)
    table = Table(
        title=title,
        caption=f"shape {tuple(original_shape)} {dtype}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("", style="dim", justify="right")
    for j in cols:
        table.add_column("…" if j is None else str(j), justify="right", header_style="dim")
    for i in rows:
        if i is None:
            table.add_row("⋮", *("⋮" for _ in cols))
            continue
        cells: list[Text] = []
        for j in cols:
            if j is None:
                cells.append(Text("…", style="dim"))
                continue
            cell = Text(fmt_number(m[i, j], digits))
            if colormap is not None and limits is not None:
                rgb = colormap.map(np.array([m[i, j]]), *limits)[0]
                r, g, b = (int(c) for c in rgb)
                cell.stylize(Style.parse(f"{_hex(contrast_rgb(rgb))} on #{r:02x}{g:02x}{b:02x}"))
            if target == (i, j):
                cell.stylize(HIGHLIGHT_STYLE)
            cells.append(cell)
        table.add_row(str(i), *cells)
    return table


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
