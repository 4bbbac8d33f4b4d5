"""CNN (and MLP on images): filters, feature maps, probe probabilities, confusion matrix
and the most confidently wrong held-out samples."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import HalfBlockImage, Heatmap, ImageGrid, ProbabilityBars
from nntui.viz.boxes import block_mean

BARS_TEXT = 12  # a probability bar's cells besides the name and the bar: " ▶ ", " 99.6%", " ✓"


def probe_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
               ) -> RenderableType:
    """The probe image beside its predicted class probabilities."""
    p = panel.pick(len(extras["probe_y"]))
    names = extras.get("class_names")
    probs = extras["probe_probs"][p]
    bars = ProbabilityBars(probs, names, true_label=int(extras["probe_y"][p]),
                           top_k=min(len(probs), height))
    text_width = bars.name_width + BARS_TEXT  # the names, "▶", the percentages, "✓"
    # the image takes what the bars leave (at least 2 cells of bar, as on 80 columns)
    image = HalfBlockImage(extras["probe_x"][p], scale=None, max_height=height,
                           max_width=max(4, width - 2 - text_width - 2))
    image_width = image.size(width, height)[0]
    bars.width = max(1, width - image_width - 2 - text_width)
    grid = Table.grid(padding=(0, 2))
    grid.add_row(image, bars)
    return grid


def maps_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
              ) -> RenderableType:
    """One row of channels per conv / pooling layer for the chosen probe."""
    p = panel.pick(len(extras["probe_y"]))
    rows: list[RenderableType] = []
    lines = max(2, height // max(1, len(extras["maps"])) - 1)  # per layer, below its label
    for name, kind, maps in extras["maps"]:
        m = np.moveaxis(maps[p], -1, 0)  # (C, H, W)
        k = max(1, -(-m.shape[1] // (2 * lines)))  # shrink until a map fits its lines
        m = np.stack([block_mean(c, k) for c in m])
        fit = max(1, (width + 1) // (m.shape[2] + 1))
        shape = "×".join(map(str, maps.shape[1:]))
        rows.append(Text(f"{name} ({kind}) {shape}", style="dim"))
        rows.append(ImageGrid(m[:fit], cmap="viridis", shared_limits=True))
    return Group(*rows)


def filters_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    f = extras["filters"]
    scale = max(1, min(4, (2 * (height - 1)) // max(1, f.shape[1])))
    return ImageGrid(f, cmap="diverging", scale=scale)


def accuracy_line(extras: dict[str, Any], width: int = 0) -> str:
    """What the accuracy is of: which held-out samples, evaluated at which step(s); in
    fewer words when the sentence is wider than ``width`` (it would take two lines)."""
    n, total = extras["heldout_size"], extras.get("heldout_total", extras["heldout_size"])
    first, last = extras.get("heldout_steps", (None, None))
    acc = f"{extras['heldout_accuracy']:.1%}"
    samples = f"{n} held-out" if n == total else f"the first {n} of {total} held-out"
    when = f"step {last}" if first == last else f"evaluated over steps {first}–{last}"
    line = f"accuracy {acc} on {samples}, {when}"
    if not width or len(line) <= width:
        return line
    samples = f"{n} held-out" if n == total else f"{n}/{total} held-out"
    when = f"step {last}" if first == last else f"steps {first}–{last}"
    return f"{acc} right, {samples}, {when}"


def confusion_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    names = [n[:5] for n in extras["class_names"]]
    k, widest = len(names), len(str(int(np.max(extras["confusion"], initial=0))))
    cell = max(widest + 1, min(6, (width - 6) // max(k, 1)))  # room for the labels if it fits
    return Group(Text(accuracy_line(extras, width), style="dim"),
                 Heatmap(extras["confusion"], "viridis", row_labels=names, col_labels=names,
                         show_values=True, legend=False, cell_width=cell))


def wrong_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    if not len(extras.get("wrong_true", ())):
        return Text("no held-out mistakes", style="dim")
    names = extras["class_names"]
    labels = [f"{names[t][:4]}→{names[p][:4]}" for t, p in
              zip(extras["wrong_true"], extras["wrong_pred"], strict=True)]
    return ImageGrid(extras["wrong_x"], labels=labels)


class ImagesPanel(SectionPanel):
    """Image classifiers: probe and probabilities, feature maps, filters, confusion, mistakes."""

    @staticmethod
    def image_sections(panel: SectionPanel, extras: dict[str, Any]) -> list[Section]:
        out = []
        if "probe_x" in extras:
            n = len(extras["probe_y"])
            out.append(Section(f"probe {panel.pick(n) + 1}/{n} (p: next) and predicted "
                               "probabilities", lambda w, h: probe_view(panel, extras, w, h), 7))
        if extras.get("maps"):
            out.append(Section("feature maps of the probe",
                               lambda w, h: maps_view(panel, extras, w, h),
                               5 * len(extras["maps"])))
        if "filters" in extras:
            out.append(Section(f"{extras.get('filters_layer', 'first layer')} weights",
                               lambda w, h: filters_view(extras, w, h), 4, grow=False))
        if "confusion" in extras:
            k = len(extras["class_names"])
            out.append(Section("confusion matrix (rows true, columns predicted)",
                               lambda w, h: confusion_view(extras, w, h),
                               min(k + 3, 14), grow=False))  # 2 lines of text, header, rows
            out.append(Section("most confidently wrong (true→predicted)",
                               lambda w, h: wrong_view(extras, w, h), 15, grow=False))
        return out

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        return self.image_sections(self, extras)


register_arch_panel("images")(ImagesPanel)
