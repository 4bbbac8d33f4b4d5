"""The inspector's explanation: the formula, the chosen element's numbers, the terms
of its sum and whether they add up to the traced value; and the gradient check."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Static

from nntui.app.widgets.inspector_tensors import Prerendered, render_plain
from nntui.inspect.explanation import Explanation, f
from nntui.inspect.gradcheck import GradCheckResult

MAX_TERMS = 10


def aligned(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows of cells padded into columns (plain lines: a Rich Table is slow to render)."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if k in right else c.ljust(w)
                      for k, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
            for r in rows]


def terms_text(ex: Explanation) -> Text:
    """The first terms of the sum, each with its factors and their product."""
    rows = [[t.label, " · ".join(f(v) for v in t.factors), "=", f(t.value)]
            for t in ex.terms[:MAX_TERMS]]
    text = Text(f"terms: {ex.term_header}\n", style="bold")
    text.append("\n".join(aligned(rows, {1, 3})))
    if len(ex.terms) > MAX_TERMS:
        text.append(f"\n… {len(ex.terms) - MAX_TERMS} more terms", style="dim")
    return text


def explanation_renderable(ex: Explanation) -> RenderableType:
    parts: list[RenderableType] = []
    if ex.formula:
        parts.append(Text(ex.formula, style="italic"))
        parts.append(Text(""))
    parts += [Text(line) for line in ex.lines]
    if ex.terms:
        parts += [Text(""), terms_text(ex)]
    if ex.total is not None and ex.value is not None:
        ok = ex.agrees
        mark = Text(f"Σ = {f(ex.total)}   traced {ex.value_label} = {f(ex.value)}   ", style="bold")
        mark.append("✓ equal" if ok else "✗ differ", style="green" if ok else "red")
        parts += [Text(""), mark]
    return Group(*parts)


class ExplanationPanel(Static):
    """The formula and the chosen element written out with its numbers."""

    DEFAULT_CSS = """
    ExplanationPanel { height: auto; padding: 0 1; }
    """

    def show(self, ex: Explanation) -> None:
        self.update(Prerendered(explanation_renderable(ex)))

    @property
    def plain(self) -> str:
        return render_plain(self.content, max(self.size.width, 60))


def gradcheck_renderable(result: GradCheckResult) -> RenderableType:
    rows = [["param", "index", "analytic", "numeric", "rel. error"]]
    rows += [[r.param, ",".join(map(str, r.index)), f(r.analytic), f(r.numeric),
              f"{r.rel_error:.1e}"] for r in result.rows]
    lines = aligned(rows, {2, 3, 4})
    text = Text(f"gradient check · {result.layer} ({result.dtype}, ε = {result.eps:g})\n",
                style="bold")
    text.append(lines[0] + "\n", style="dim")
    for row, line in zip(result.rows, lines[1:], strict=True):
        text.append(line + "\n", style="" if result.row_ok(row) else "red")
    if result.passed:
        text.append(f"✓ backward agrees with finite differences (max rel. error "
                    f"{result.max_rel_error:.1e}, tolerance {result.rtol:g})", style="green")
    else:
        bad = sum(not result.row_ok(r) for r in result.rows)
        text.append(f"✗ {bad} elements differ beyond {result.rtol:g}", style="bold red")
    return text


class GradCheckPanel(Static):
    """The numeric gradient check's result (``g``)."""

    DEFAULT_CSS = """
    GradCheckPanel { height: auto; padding: 1 1 0 1; }
    """

    def show(self, result: GradCheckResult | str | None) -> None:
        if result is None:
            self.update(Text("g: check this layer's gradients numerically", style="dim"))
        elif isinstance(result, str):
            self.update(Text(result, style="dim"))
        else:
            self.update(Prerendered(gradcheck_renderable(result)))

    @property
    def plain(self) -> str:
        return render_plain(self.content, max(self.size.width, 60))
