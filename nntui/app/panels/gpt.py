"""GPT: the text it writes as it learns, each token's candidates, attention over the
prompt, and the validation loss in nats per token beside its perplexity."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.app.widgets.line_chart import LineChart
from nntui.viz import Heatmap, ProbabilityBars


def shown(token: str) -> str:
    """A token as one visible label: newline as ↵, space as ·."""
    return token.replace("\n", "↵").replace(" ", "·") or "∅"


def sample_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """The prompt (dim) and what the model wrote after it (bold), wrapped."""
    text = Text(extras["prompt"], style="dim")
    text.append(extras["sample"], style="bold")
    return text


def candidates_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                    ) -> RenderableType:
    """For the written token picked with ``u``: the distribution it was drawn from."""
    steps = extras["steps"]
    if not steps:
        return Text("nothing written", style="dim")
    i = panel.pick(len(steps), "unit")
    chosen, cands = steps[i]
    before = (extras["prompt"] + extras["sample"][:i])[-24:]
    line = Text(f"token {i + 1}/{len(steps)} (u: next): …{shown(before)}", style="dim")
    line.append(shown(chosen), style="bold reverse")
    names = [shown(t) for t, _ in cands]
    probs = np.array([q for _, q in cands])
    chosen_at = next((k for k, (t, _) in enumerate(cands) if t == chosen), None)
    bars = ProbabilityBars(probs, names, true_label=chosen_at, width=max(4, min(30, width - 20)))
    return Group(line, bars)


def attention_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                   ) -> RenderableType:
    """Each head of the last block: which prompt tokens (columns) each one (rows) reads."""
    attention = extras["attention"][-1]  # (H, P, P)
    labels = [shown(t) for t in extras["prompt_tokens"]]
    maps = [Heatmap(attention[h], "viridis", vmin=0.0, vmax=1.0, row_labels=labels,
                    col_labels=labels, title=f"head {h + 1}", legend=h == 0)
            for h in range(attention.shape[0])]
    per = maps[0].body_width(width) + 2
    cols = max(1, width // per)
    grid = Table.grid(padding=(0, 2))
    for start in range(0, len(maps), cols):
        grid.add_row(*maps[start:start + cols])
    return grid


def loss_view(history: RunHistory, width: int, height: int) -> RenderableType:
    """Validation loss (nats per token) per epoch and perplexity e^loss, the last value."""
    val = history.epoch_metrics.get("val_loss")
    train = history.step_metrics.get("loss")
    series = {}
    if train is not None and len(train):
        series["train"] = (train.x, train.smooth)
    if val is not None and len(val):
        series["validation"] = (val.x, val.y)
    if not series:
        return Text("no steps yet", style="dim")
    last = val.y[-1] if val is not None and len(val) else None
    title = "loss (nats per token)"
    if last is not None and math.isfinite(last):
        title += f"   validation {last:.3f}, perplexity e^loss = {math.exp(min(last, 50)):.2f}"
    return LineChart(series, width=width, height=max(3, height), title=title)


@register_arch_panel("gpt")
class GptPanel(SectionPanel):
    """What the model writes after the prompt (the same seed every snapshot), the
    candidates behind each written token (``u``), each head's attention over the
    prompt, and the loss with its perplexity."""

    def extra_version(self, history: RunHistory) -> object:
        return history.curves_version // 8

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "sample" not in extras:
            return []
        top_k = extras["top_k"] or "all"
        p = len(extras["prompt_tokens"])
        return [
            Section(f"written at temperature {extras['temperature']:g}, top-k {top_k}",
                    lambda w, h: sample_view(extras, w, h), 5),
            Section("the distribution each token was drawn from",
                    lambda w, h: candidates_view(self, extras, w, h), 6, grow=False),
            Section("loss", lambda w, h: loss_view(history, w, h), 8),
            Section("attention over the prompt, last block (rows read columns)",
                    lambda w, h: attention_view(self, extras, w, h), p + 3),
        ]
