"""The tiny transformer: attention per head for a probe, and greedily sampled text."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz.heatmap import head_maps


def attention_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                   ) -> RenderableType:
    """Each head's (T, T) attention of the last block for the probe; rows attend to columns."""
    attention = extras["attention"][-1]  # (P, H, T, T) of the last block
    p = panel.pick(attention.shape[0])
    tokens = [repr(c)[1:-1] or "·" for c in extras["tokens"][p]]
    return head_maps(attention[p], tokens, width)


def samples_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    lines = []
    for prompt, gen, truth in zip(extras["prompts"], extras["generated"], extras["truths"],
                                  strict=True):
        line = Text(prompt, style="dim")
        line.append(gen, style="bold green" if gen == truth else "bold red")
        if gen != truth:
            line.append(f"   (truth {truth})", style="dim")
        lines.append(line)
    return Group(*lines)


@register_arch_panel("transformer")
class TransformerPanel(SectionPanel):
    """Attention weights per head for a probe input (``p`` cycles) and text the model
    writes greedily after a prompt from the held-out data."""

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "attention" not in extras or not len(extras["attention"]):
            return []
        n = len(extras["tokens"])
        t = len(extras["tokens"][0])
        return [
            Section("greedy continuation of held-out prompts (green: right)",
                    lambda w, h: samples_view(extras, w, h), len(extras["prompts"]), grow=False),
            Section(f"attention, probe {self.pick(n) + 1}/{n} (p: next; rows attend to columns)",
                    lambda w, h: attention_view(self, extras, w, h), t + 3),
        ]
