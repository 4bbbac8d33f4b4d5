"""Encoder–decoder: held-out translations (greedy, and a beam), the cross-attention map
of the last decoder block, and the held-out exact match per epoch."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import Heatmap
from nntui.viz.line_chart import LineChart


def translations_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """``source → output`` per probe, green when the whole output is right."""
    wide = max(len(s) for s in extras["sources"])
    lines = []
    for src, out, truth in zip(extras["sources"], extras["outputs"], extras["truths"],
                               strict=True):
        line = Text(src.rjust(wide) + " → ", style="dim")
        line.append(out, style="bold green" if out == truth else "bold red")
        if out != truth:
            line.append(f"  (truth {truth})", style="dim")
        lines.append(line)
    return Group(*lines)


def beam_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
              ) -> RenderableType:
    p = panel.pick(len(extras["beams"]))
    lines = [Text(f"{extras['sources'][p]}  (p: next input)", style="dim")]
    for rank, (text, logp) in enumerate(extras["beams"][p], start=1):
        right = text == extras["truths"][p]
        line = Text(f"{rank}. ", style="dim")
        line.append(text, style="bold green" if right else "bold")
        line.append(f"   log p = {logp:.3f}  (p = {np.exp(logp):.3f})", style="dim")
        lines.append(line)
    return Group(*lines)


def attention_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                   ) -> RenderableType:
    """Head ``u`` (or their mean) of the last block: output rows read input columns."""
    attention = extras["attention"]                                # (P, H, T, S)
    p = panel.pick(attention.shape[0])
    heads = attention.shape[1]
    h = panel.pick(heads + 1, "unit")
    grid = attention[p].mean(axis=0) if h == heads else attention[p, h]
    src = [c if c != "_" else "·" for c in extras["source_tokens"][p]]
    used = max(1, len(extras["sources"][p]))                      # pads after the text
    title = "mean of the heads" if h == heads else f"head {h + 1} of {heads}"
    return Heatmap(grid[:, :used], "viridis", vmin=0.0, vmax=1.0,
                   row_labels=extras["output_tokens"][p], col_labels=src[:used],
                   title=f"{title} (u: next)", legend=True)


def exact_view(history: RunHistory, width: int, height: int) -> RenderableType:
    series = {}
    for key, label in (("val_exact", "held-out exact match"), ("val_accuracy",
                                                               "held-out token accuracy")):
        s = history.epoch_metrics.get(key)
        if s is not None and len(s):
            series[label] = (s.x, s.y)
    if not series:
        return Text("the held-out exact match appears after the first epoch", style="dim")
    last = history.epoch_metrics["val_exact"].y[-1] if "val_exact" in history.epoch_metrics \
        else float("nan")
    return LineChart(series, width=width, height=max(3, height),
                     title=f"exact match {100 * last:.1f} %")


@register_arch_panel("seq2seq")
class Seq2SeqPanel(SectionPanel):
    """Held-out inputs and what the model writes for them, a beam for one (``p``), and
    which input characters each output character reads (cross-attention; ``u``: head)."""

    def extra_version(self, history: RunHistory) -> object:
        return history.curves_version // 8

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "outputs" not in extras:
            return []
        p = len(extras["outputs"])
        t = len(extras["output_tokens"][0])
        return [
            Section("held-out inputs, written greedily (green: exactly right)",
                    lambda w, h: translations_view(extras, w, h), p, grow=False),
            Section("cross-attention: output characters (rows) read input characters",
                    lambda w, h: attention_view(self, extras, w, h), t + 4),
            Section(f"beam search, width {len(extras['beams'][0])}",
                    lambda w, h: beam_view(self, extras, w, h), 4, grow=False),
            Section("held-out exact match", lambda w, h: exact_view(history, w, h), 6),
        ]
