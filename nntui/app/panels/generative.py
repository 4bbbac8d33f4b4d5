"""GAN (generated vs real, D's view of the plane, losses, D(x) and D(G(z))) and
autoencoder (inputs beside reconstructions, latent plane, reconstruction errors)."""

from __future__ import annotations

from math import ceil
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.app.widgets.curves import smoothed
from nntui.viz import DecisionBoundary, Histogram, ImageGrid, Scatter
from nntui.viz.boxes import block_mean, resample
from nntui.viz.line_chart import LineChart


def gan_points(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """Real (class 1) and generated (class 0) points over D's P(real) as regions."""
    real, fake = extras["real"], extras["fake"]
    grid = resample(extras["d_grid"], 2 * max(1, height - 1), max(1, width))
    points = np.concatenate([real, fake])
    labels = np.concatenate([np.ones(len(real)), np.zeros(len(fake))]).astype(np.int64)
    return DecisionBoundary(grid, points, labels, extras["extent"],
                            class_names=["generated (D says fake)", "real (D says real)"])


def gan_curves(history: RunHistory, keys: tuple[str, ...], width: int, height: int,
               title: str) -> RenderableType:
    series = {k: smoothed(history.step_metrics[k]) for k in keys if k in history.step_metrics}
    if not series:
        return Text("no steps yet", style="dim")
    return LineChart(series, width=width, height=height, title=title)


SAMPLE_GRID_LINES = 24  # at most this many lines for the grid when it can show every sample


def sample_grid(samples: np.ndarray, width: int) -> tuple[ImageGrid, int]:
    """Every generated sample at once: each image shrunk by the smallest factor (block
    means: 28×28 → 14×14 → …) at which the whole grid fits ``SAMPLE_GRID_LINES`` lines
    of ``width`` cells; returns the grid and its height in lines."""
    for k in (1, 2, 3, 4):
        grid = ImageGrid(np.stack([block_mean(im, k) for im in samples]))
        rows = grid.rows(width)
        lines = rows * ceil(samples.shape[1] // k / 2) + rows - 1  # a blank line between
        if lines <= SAMPLE_GRID_LINES:
            break
    return grid, lines


@register_arch_panel("gan")
class GanPanel(SectionPanel):
    """Generated against real data (2-D) or a grid of generated images, then D and G
    losses and D(x) against D(G(z)) over the steps."""

    def extra_version(self, history: RunHistory) -> object:
        return history.curves_version // 8  # the curves redraw every few steps

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if extras.get("kind") == "points":
            first = Section("generated vs real, regions: D's verdict",
                            lambda w, h: gan_points(extras, w, h), 10)
        elif extras.get("kind") == "images":
            grid, lines = sample_grid(extras["samples"], width)
            first = Section(f"{len(extras['samples'])} generated samples (the same z every "
                            "snapshot)", lambda w, h: grid, lines, grow=False)
        else:
            return []
        return [first,
                Section("losses", lambda w, h: gan_curves(
                    history, ("d_loss", "g_loss"), w, h, "D and G loss"), 8),
                Section("D(x) real vs D(G(z)) generated", lambda w, h: gan_curves(
                    history, ("d_real", "d_fake"), w, h, "D(x), D(G(z)) → 0.5"), 8)]


def pairs_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """One sample a row: its (noisy) input, its reconstruction and, for the denoiser, the
    clean target side by side under one header, shrunk until a row fits the box."""
    columns = [("input" if not extras["noise"] else "noisy input", extras["inputs"]),
               ("reconstruction", extras["outputs"])]
    if extras["noise"]:
        columns.append(("clean target", extras["targets"]))
    first = columns[0][1]
    if first.ndim < 3:  # not images: nothing to put side by side
        return Text("inputs are not images", style="dim")
    h, w = first.shape[1], first.shape[2]
    n = len(columns)
    k = max(1, ceil(n * w / max(1, width - n)), ceil(h / (2 * max(1, height - 1))))
    cell = ceil(w / k) + 1  # an image's columns and the gap after it
    lines = ceil(ceil(h / k) / 2)  # half blocks: two pixel rows a line
    samples = max(1, min(len(first), (height - 1) // max(1, lines)))
    header = Text("".join(label[: cell - 1].center(cell) for label, _ in columns), style="dim")
    shown = [block_mean(np.asarray(images[i], dtype=np.float32), k)
             for i in range(samples) for _, images in columns]
    return Group(header, ImageGrid(shown, cols=n))


def latent_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    title = "" if extras["latent_dim"] <= 2 else f"(PCA of {extras['latent_dim']}-D codes)"
    return Scatter(extras["latent"], extras.get("latent_labels"), width=width,
                   height=max(2, height - 2 - bool(title)), class_names=extras.get("class_names"),
                   title=title or None)


def errors_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    return Histogram(extras["errors"], bins=min(40, width), width=width, height=max(1, height - 2))


@register_arch_panel("autoencoder")
class AutoencoderPanel(SectionPanel):
    """Inputs beside reconstructions (with the clean target for the denoiser), the 2-D
    latent plane coloured by class, and the reconstruction-error histogram."""

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "inputs" not in extras:
            return []
        return [
            Section("held-out samples and their reconstructions",
                    lambda w, h: pairs_view(extras, w, h), 8),
            Section("latent codes of held-out samples, by class",
                    lambda w, h: latent_view(extras, w, h), 10),
            Section("reconstruction error (MSE per held-out sample; outliers are anomalies)",
                    lambda w, h: errors_view(extras, w, h), 6),
        ]
