"""``LossSurface``: a 2-D slice of the loss as a heatmap with contour lines, and the
optimizer's path over it.

The grid (``losses[i, j]`` at ``(alphas[j], betas[i])``, row 0 at the lowest β) is
resampled bilinearly to two pixel rows per line (half blocks) and coloured by the
log of the loss (viridis: dark low, yellow high). Contours are the pixels where the
loss crosses one of ``levels`` log-spaced values: drawn light, so valleys read as
rings. The path is drawn cell by cell: ``○`` where it starts (the initial weights),
``•`` along it, ``✚`` at its end (the weights now, the slice's centre). Cells the
computation has not reached (NaN) are left dark.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from nntui.numeric import fmt_number
from nntui.viz.colors import blend, get_cmap, pack_rgb, rgb_style
from nntui.viz.image import yield_lines
from nntui.viz.scatter2d import cell_lines

CONTOUR_RGB = (235, 235, 235)
UNREACHED_RGB = (20, 20, 20)
PATH_RGB = (255, 80, 80)
LABEL = Style(dim=True)


def bilinear(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``grid (R, C)`` sampled at ``rows × cols`` points spanning it corner to corner."""
    r, c = grid.shape
    y = np.linspace(0, r - 1, rows)[:, None]  # (rows, 1)
    x = np.linspace(0, c - 1, cols)[None, :]  # (1, cols)
    y0, x0 = np.floor(y).astype(int).clip(0, r - 1), np.floor(x).astype(int).clip(0, c - 1)
    y1, x1 = (y0 + 1).clip(0, r - 1), (x0 + 1).clip(0, c - 1)
    fy, fx = y - y0, x - x0
    top = grid[y0, x0] * (1 - fx) + grid[y0, x1] * fx
    bottom = grid[y1, x0] * (1 - fx) + grid[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


class LossSurface:
    """The slice, its contours and the path, in ``width × height`` cells (the axis
    line and the colour bar included).

    Args:
        alphas, betas: the grid's coordinates.
        losses: ``(len(betas), len(alphas))``.
        path: ``(T, 2)`` the trajectory's ``(α, β)``, first the initial weights.
        levels: how many contour lines.
    """

    def __init__(self, alphas: np.ndarray, betas: np.ndarray, losses: np.ndarray,
                 path: np.ndarray | None, width: int, height: int, levels: int = 7) -> None:
        self.alphas, self.betas = np.asarray(alphas), np.asarray(betas)
        self.losses = np.asarray(losses, np.float64)
        self.path = np.zeros((0, 2)) if path is None else np.asarray(path, np.float64)
        self.width, self.height, self.levels = max(4, width), max(4, height), levels

    def _field(self, rows: int, cols: int) -> tuple[np.ndarray, float, float]:
        """log10 loss per pixel, ymax row first, and its finite range."""
        logs = np.log10(np.maximum(self.losses, 1e-12))
        lo = float(np.nanmin(logs)) if np.isfinite(logs).any() else 0.0
        hi = float(np.nanmax(logs)) if np.isfinite(logs).any() else 1.0
        return bilinear(logs, rows, cols)[::-1], lo, hi

    def cells(self, x: float, y: float, cols: int, lines: int) -> tuple[int, int]:
        """The ``(line, column)`` of plane point ``(α, β)``."""
        a0, a1, b0, b1 = self.alphas[0], self.alphas[-1], self.betas[0], self.betas[-1]
        col = int(round((x - a0) / (a1 - a0) * (cols - 1))) if a1 > a0 else 0
        row = int(round((y - b0) / (b1 - b0) * (2 * lines - 1))) if b1 > b0 else 0
        return (2 * lines - 1 - row) // 2, col

    def lines(self) -> list[list[Segment]]:
        cols, lines = self.width, self.height - 2
        field, lo, hi = self._field(2 * lines, cols)
        rgb = get_cmap("viridis").map(field, lo, hi if hi > lo else lo + 1)  # (2L, W, 3)
        rgb[~np.isfinite(field)] = UNREACHED_RGB
        steps = np.floor((field - lo) / max(hi - lo, 1e-12) * self.levels)  # level index
        edge = np.zeros(field.shape, bool)  # one pixel where the level changes
        edge[:, 1:] |= steps[:, 1:] > steps[:, :-1]
        edge[:, :-1] |= steps[:, :-1] > steps[:, 1:]
        edge[1:, :] |= steps[1:, :] > steps[:-1, :]
        edge[:-1, :] |= steps[:-1, :] > steps[1:, :]
        edge &= np.isfinite(field)
        rgb[edge] = blend(rgb[edge], CONTOUR_RGB, 0.5)
        packed = pack_rgb(rgb)  # (2L, W)
        chars = np.full((lines, cols), "▀", dtype="<U1")
        fg, bg = packed[0::2].copy(), packed[1::2].copy()
        for k, (a, b) in enumerate(self.path):
            line, col = self.cells(a, b, cols, lines)
            if 0 <= line < lines and 0 <= col < cols:
                glyph = "○" if k == 0 else ("✚" if k == len(self.path) - 1 else "•")
                if glyph == "•" and chars[line, col] in "○✚":
                    continue
                chars[line, col] = glyph
                fg[line, col] = pack_rgb(np.array(PATH_RGB))
                bg[line, col] = packed[2 * line, col]
        out = cell_lines(chars, fg, bg)
        out.append(self._axis(cols))
        out.append(self._legend(lo, hi, max(2, min(24, cols // 3))))
        return out

    def _legend(self, lo: float, hi: float, cells: int) -> list[Segment]:
        """``loss 0.01 ██████ 2.3 (log scale) · ○ start ✚ now``: the colours on a log scale."""
        t = (np.arange(cells) + 0.5) / cells
        packed = pack_rgb(get_cmap("viridis").map(lo + t * (hi - lo), lo, hi)).tolist()
        return [Segment(f"loss {fmt_number(10 ** lo)} ", LABEL),
                *(Segment(" ", rgb_style(None, p)) for p in packed),
                Segment(f" {fmt_number(10 ** hi)} (log scale)", LABEL),
                Segment("  ○ start  • path  ✚ now", Style(color="rgb(255,80,80)"))]

    def _axis(self, cols: int) -> list[Segment]:
        left = f"α {fmt_number(self.alphas[0])}"
        right = f"{fmt_number(self.alphas[-1])}  (β {fmt_number(self.betas[0])} … "\
            f"{fmt_number(self.betas[-1])} bottom to top)"
        gap = max(1, cols - len(left) - len(right))
        return [Segment(left + " " * gap + right, LABEL)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines())

