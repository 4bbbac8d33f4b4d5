"""What ``nntui train`` prints when a run ends: the final figures with what each one
measures, whether the preset reached its stated target, and the loss curves."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from nntui.architectures.spec import Expectation
from nntui.commands.charts import line_plot

CURVE_WIDTH, CURVE_HEIGHT = 72, 14


def final_figures(history: dict[str, list[float]], definitions: dict[str, str],
                  held_out: int | None) -> list[str]:
    """``final: loss=… accuracy=…`` and one line per figure saying what it is."""
    final = {k: v[-1] for k, v in history.items() if v and math.isfinite(v[-1])}
    if not final:
        return []
    lines = ["final: " + "  ".join(f"{k}={v:.4f}" for k, v in final.items()),
             "  each a mean over the last epoch's training batches:"]
    lines += [f"  {key}: {definitions.get(key, key)}" for key in final
              if not key.startswith("val_")]
    if any(k.startswith("val_") for k in final):
        where = f"the {held_out} held-out samples" if held_out else "the held-out samples"
        lines.append(f"  val_*: the same on {where}, after the last epoch")
    return lines


def target_verdict(expect: Expectation, history: dict[str, list[float]]) -> str | None:
    """``target: val_accuracy ≥ 0.98 reached (1.0000)``, or None when the preset states none."""
    if not expect.metric or (expect.min is None and expect.max is None):
        return None
    values = history.get(expect.metric)
    bound = (f"≥ {expect.min:g}" if expect.min is not None else "") + \
        (" and " if expect.min is not None and expect.max is not None else "") + \
        (f"≤ {expect.max:g}" if expect.max is not None else "")
    goal = f"target: {expect.metric} {bound}" + (f" ({expect.text})" if expect.text else "")
    if not values or not math.isfinite(values[-1]):
        return f"{goal}: not measured (the run logged no {expect.metric})"
    value = values[-1]
    ok = (expect.min is None or value >= expect.min) and (expect.max is None or value <= expect.max)
    return f"{goal}: {'reached' if ok else 'NOT reached'} ({value:.4f})"


def loss_curves(history: dict[str, list[float]], epochs: list[int]) -> RenderableType | None:
    """Training and validation loss per epoch, when there are at least two epochs."""
    pair = ("d_loss", "g_loss") if "d_loss" in history else ("loss", "val_loss")  # a GAN's two
    keys = [k for k in pair if len(history.get(k, [])) >= 2]
    if not keys:
        return None
    series: dict[str, Any] = {k: (epochs[-len(history[k]):], history[k]) for k in keys}
    chart = line_plot(series, CURVE_WIDTH, CURVE_HEIGHT, title=" and ".join(keys) + " per epoch",
                      xlabel="epoch")
    return Group(chart, Text(""))
