"""The inspector's explanation: the formula, the chosen element's numbers, the terms
of its sum and whether they add up to the traced value; and the gradient check."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.app.widgets.inspector_tensors import Prerendered, render_plain
from nntui.inspect.explanation import Explanation, f
from nntui.inspect.gradcheck import GradCheckResult

MAX_TERMS = 10


def terms_table(ex: Explanation) -> Table:
    """The first terms of the sum, each with its factors and their product."""
    table = Table(
        title=f"terms: {ex.term_header}",
        title_justify="left",
        box=None,
        pad_edge=False,
        show_header=False,
    )
    table.add_column(style="dim")
    table.add_column(justify="right")
    table.add_column(justify="right")
    for term in ex.terms[:MAX_TERMS]:
        table.add_row(term.label, " · ".join(f(v) for v in term.factors), f"= {f(term.value)}")
    if len(ex.terms) > MAX_TERMS:
        table.add_row("…", f"{len(ex.terms) - MAX_TERMS} more", "")
    return table


def explanation_renderable(ex: Explanation) -> RenderableType:
    parts: list[RenderableType] = []
    if ex.formula:
        parts.append(Text(ex.formula, style="italic"))
        parts.append(Text(""))
    parts += [Text(line) for line in ex.lines]
    if ex.terms:
        parts += [Text(""), terms_table(ex)]
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
    table = Table(
        title=f"gradient check · {result.layer} ({result.dtype}, ε = {result.eps:g})",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    for name in ("param", "index", "analytic", "numeric", "rel. error"):
        table.add_column(name, justify="left" if name in ("param", "index") else "right")
    for row in result.rows:
        style = "" if result.row_ok(row) else "red"
        table.add_row(
            row.param,
            ",".join(map(str, row.index)),
            f(row.analytic),
            f(row.numeric),
            f"{row.rel_error:.1e}",
            style=style,
        )
    verdict = (
        Text(
            f"✓ backward agrees with finite differences (max rel. error "
            f"{result.max_rel_error:.1e}, tolerance {result.rtol:g})",
            style="green",
        )
        if result.passed
        else Text(
            f"✗ {sum(not result.row_ok(r) for r in result.rows)} elements differ "
            f"beyond {result.rtol:g}",
            style="bold red",
        )
    )
    return Group(table, verdict)


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
