"""Transfer learning: frozen vs trainable layers, accuracy before and after fine-tuning."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.panels.images import ImagesPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import horizontal_bar
from nntui.viz.line_chart import LineChart


def layers_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    for name, kind, params, trainable in extras["layers"]:
        state = Text("trainable", style="bold green") if trainable else Text("❄ frozen",
                                                                             style="cyan")
        table.add_row(name, Text(kind, style="dim"), f"{params:,}", state)
    return table


def latest_val_accuracy(history: RunHistory) -> float | None:
    series = history.epoch_metrics.get("val_accuracy")
    return series.last if series is not None and len(series) else None


def accuracy_view(extras: dict[str, Any], history: RunHistory, width: int, height: int
                  ) -> RenderableType:
    after = latest_val_accuracy(history)
    rows = [("pretrained, old task", extras.get("pretrain_accuracy")),
            ("before fine-tuning", extras.get("accuracy_before")),
            ("after (latest val)", after)]
    bar = max(4, width - 30)
    lines = []
    for label, value in rows:
        line = Text(f"{label:>20} ")
        if value is None:
            line.append("—", style="dim")
        else:
            line.append(horizontal_bar(float(value), bar), style="green")
            line.append(f" {float(value):6.1%}")
        lines.append(line)
    return Group(*lines)


def versus_view(history: RunHistory, width: int, height: int) -> RenderableType:
    """Held-out accuracy per epoch: the transferred model against the same network
    trained from random weights on the same labelled samples."""
    series = {}
    for key, label in (("val_accuracy", "transferred"), ("scratch_val_accuracy",
                                                         "from scratch")):
        s = history.epoch_metrics.get(key)
        if s is not None and len(s):
            series[label] = (s.x, s.y)
    if len(series) < 2:
        return Text("the from-scratch twin's accuracy appears after the first epoch",
                    style="dim")
    margin = series["transferred"][1][-1] - series["from scratch"][1][-1]
    return LineChart(series, width=width, height=max(3, height),
                     title=f"held-out accuracy, transferred − from scratch = {margin:+.1%}")


@register_arch_panel("transfer")
class TransferPanel(SectionPanel):
    """Which layers are frozen and which fine-tune, and the accuracy before and after;
    below, the CNN views of the fine-tuned model."""

    def extra_version(self, history: RunHistory) -> object:
        return latest_val_accuracy(history), len(history.epoch_metrics.get(
            "scratch_val_accuracy", ()))

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "layers" not in extras:
            return []
        return [
            Section("layers", lambda w, h: layers_view(extras, w, h), len(extras["layers"]),
                    grow=False),
            Section("accuracy on the new task", lambda w, h: accuracy_view(extras, history, w, h),
                    3, grow=False),
            *([Section("transferred vs from scratch, the same labelled samples",
                       lambda w, h: versus_view(history, w, h), 8)]
              if "scratch_val_accuracy" in history.epoch_metrics else []),
            *ImagesPanel.image_sections(self, extras),
        ]
