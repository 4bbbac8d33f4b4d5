"""Architecture panels: registry, keys (Pilot) and looks (SVG snapshots).

Their data comes from short real runs of the presets (seeded, small data, a few epochs:
models that learned something), through the dashboard's snapshot throttle, ending on
the fresh snapshot of the last step; the GAN's curves are its real losses.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import pytest

from nntui.app.history import RunHistory
from nntui.app.panels import (
    AutoencoderPanel,
    GanPanel,
    ImagesPanel,
    PointsPanel,
    RecurrentPanel,
    SectionPanel,
    TransferPanel,
    TransformerPanel,
    panel_for,
)
from nntui.app.widgets.arch_panel import ArchPanel
from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.presets import load_preset
from tests.app.conftest import asynctest
from tests.app.panel_harness import PanelApp, trained_history

SIZE = (80, 40)
PRESETS = {
    "perceptron": "perceptron-blobs", "mlp": "mlp-spiral", "cnn": "cnn-shapes",
    "lstm": "lstm-memory", "gru": "gru-memory", "rnn": "rnn-memory", "gan": "gan-gaussians",
    "autoencoder": "denoising-autoencoder-shapes", "transformer": "transformer-addition",
    "transfer": "transfer-shapes",
}


TRAINED = {  # a short run that learns something, the panels' looks pinned
    "perceptron-blobs": ("train.epochs=1",),
    "mlp-spiral": ("dataset.n_samples=300", "train.epochs=25"),
    "cnn-shapes": ("dataset.n_samples=1500", "train.epochs=4"),
    "lstm-memory": ("dataset.n_samples=800", "dataset.timesteps=20", "model.hidden=[32]",
                    "train.epochs=6"),
    "gru-memory": ("dataset.n_samples=800", "dataset.timesteps=20", "model.hidden=[32]",
                   "train.epochs=10"),
    "rnn-memory": ("dataset.n_samples=800", "dataset.timesteps=20", "model.hidden=[32]",
                   "train.epochs=6"),
    "gan-gaussians": ("train.epochs=8",),
    "denoising-autoencoder-shapes": ("dataset.n_samples=1000", "train.epochs=6"),
    "transformer-addition": ("dataset.n_samples=1000", "train.epochs=6"),
    "transfer-shapes": ("dataset.n_samples=600", "train.epochs=3", "model.pretrain_epochs=3",
                        "model.pretrain_dataset.n_samples=1000"),
}


@functools.cache
def trained(preset: str) -> RunHistory:
    """The history of a short real run of ``preset``: its panel data is the final, fresh
    snapshot's (the model as training left it), the GAN's curves its real losses."""
    session = build_session(load_preset(preset, overrides=list(TRAINED[preset])))
    history = trained_history(session, snapshot_every=10)
    assert history.extras.get("fresh") and history.extras_step == history.step
    history.extras = stable_names(history.extras)
    return history


def extras(preset: str) -> dict[str, Any]:
    return trained(preset).extras


def stable_names(d: dict[str, Any]) -> dict[str, Any]:
    """Layer names as the position in the model, so snapshots do not follow naming."""
    for key in ("neuron_layer", "filters_layer", "rnn_layer"):
        if key in d:
            d[key] = "layer"
    if "maps" in d:
        d["maps"] = [(f"{kind.lower()}_{i}", kind, m) for i, (_, kind, m) in enumerate(d["maps"])]
    if "layers" in d:
        d["layers"] = [(f"{kind.lower()}_{i}", kind, n, t)
                       for i, (_, kind, n, t) in enumerate(d["layers"])]
    return d


def history_for(arch: str) -> RunHistory:
    """A copy of the trained history (panels' keys must not change the cached one)."""
    return copy.copy(trained(PRESETS[arch]))


def test_registry_has_a_panel_per_architecture() -> None:
    expected = {"perceptron": PointsPanel, "mlp": PointsPanel, "cnn": ImagesPanel,
                "rnn": RecurrentPanel, "lstm": RecurrentPanel, "gru": RecurrentPanel,
                "gan": GanPanel, "autoencoder": AutoencoderPanel,
                "transformer": TransformerPanel, "transfer": TransferPanel}
    for arch, cls in expected.items():
        assert panel_for(arch) is cls
        panel = panel_for(arch)(arch)  # what TrainScreen mounts into #arch-panel
        assert isinstance(panel, cls) and panel.id == "arch-panel"
    assert panel_for("unknown") is ArchPanel


def test_every_registered_architecture_has_a_panel_that_draws_its_view() -> None:
    from nntui.app.widgets.arch_panel import ARCH_PANELS
    from nntui.architectures import ARCHITECTURES

    missing = {a.name: a.panel for a in ARCHITECTURES.values() if a.panel not in ARCH_PANELS}
    assert not missing, f"no panel registered for these views: {missing}"


@asynctest
async def test_a_new_snapshot_is_drawn_once_with_its_step_in_the_subtitle() -> None:
    # The subtitle ("step N") was set after each redraw, which drew the whole panel a
    # second time: a decision-region grid twice a second on the UI thread.
    history = history_for("mlp")
    app = PanelApp("mlp", history)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        await pilot.pause(0.2)
        renders = []
        real = panel.render
        panel.render = lambda: renders.append(1) or real()  # type: ignore[method-assign]
        history.apply(ev.SnapshotTaken(10, 1, (), {**extras(PRESETS["mlp"]), "step": 10}))
        panel.tick()
        await pilot.pause(0.3)
        assert len(renders) == 1
        assert "step 10" in str(panel.border_subtitle)


@pytest.mark.parametrize("arch", sorted(PRESETS))
def test_panel_builds_at_small_and_large_sizes(arch: str) -> None:
    from rich.console import Console
    from textual.geometry import Size

    panel = panel_for(arch)(arch)
    history = history_for(arch)
    for w, h in ((40, 12), (80, 40), (140, 60)):
        for view in range(3):
            panel.view = view
            console = Console(width=w, height=h, record=True, color_system="truecolor")
            console.print(panel.build(history, Size(w, h)))
            lines = console.export_text().splitlines()
            assert len(lines) <= h, (arch, w, h, view)


@asynctest
async def test_keys_cycle_view_probe_and_unit() -> None:
    app = PanelApp("cnn", history_for("cnn"))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        assert isinstance(panel, SectionPanel) and panel.has_focus
        before = panel.render()
        await pilot.press("p")
        assert panel.probe == 1 and panel.render() is not before
        await pilot.press("v", "u")
        assert (panel.view, panel.unit) == (1, 1)
        await pilot.click("#arch-panel")
        assert panel.view == 2


@asynctest
async def test_panel_redraws_on_a_new_snapshot_only() -> None:
    history = history_for("mlp")
    app = PanelApp("mlp", history)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.panel
        first = panel.render()
        assert panel.render() is first  # cached while the data is the same
        history.apply(ev.SnapshotTaken(10, 1, (), extras(PRESETS["mlp"])))
        await pilot.pause()
        assert panel.render() is not first


@pytest.mark.parametrize("arch", sorted(PRESETS))
def test_panel_snapshot(arch: str, snap_compare: Any) -> None:
    assert snap_compare(PanelApp(arch, history_for(arch)), terminal_size=SIZE)


def test_cnn_confusion_view_snapshot(snap_compare: Any) -> None:
    """The trained CNN's confusion matrix and its accuracy (v three times)."""
    assert snap_compare(PanelApp("cnn", history_for("cnn")), terminal_size=SIZE,
                        press=["v", "v", "v"])


def test_mlp_neuron_view_snapshot(snap_compare: Any) -> None:
    async def next_unit(pilot: Any) -> None:
        await pilot.press("u", "u")

    assert snap_compare(PanelApp("mlp", history_for("mlp")), terminal_size=(60, 40),
                        run_before=next_unit)


@pytest.mark.parametrize(("size", "total", "steps", "said"), [
    (600, 600, (228, 228), "accuracy 93.8% on 600 held-out, step 228"),
    (2000, 10000, (50, 50), "accuracy 93.8% on the first 2000 of 10000 held-out, step 50"),
    (600, 600, (130, 228), "accuracy 93.8% on 600 held-out, evaluated over steps 130–228"),
])
def test_the_accuracy_says_what_it_is_of(size: int, total: int, steps: tuple[int, int],
                                         said: str) -> None:
    from nntui.app.panels.images import accuracy_line

    extras = {"heldout_accuracy": 0.9383, "heldout_size": size, "heldout_total": total,
              "heldout_steps": steps}
    assert accuracy_line(extras) == said
    short = accuracy_line(extras, 38)  # the panel's width at 80×24: fewer words, same figures
    assert short.startswith("93.8% right") and len(short) < len(said)
    assert all(str(v) in short for v in (size, total, *steps))
    assert len(short) <= 38 or size != total or steps[0] != steps[1]  # the usual case: 1 line


def test_confusion_view_keeps_every_row_and_label_at_80_columns() -> None:
    """At 80×24 the panel is 38 cells wide: the accuracy says itself in one line, the
    matrix keeps its rows (the panel's 6 lines under its title hold them all)."""
    from rich.console import Console

    from nntui.app.panels.images import confusion_view

    confusion = np.array([[134, 1, 3, 8], [11, 117, 0, 10], [0, 0, 157, 1], [0, 2, 1, 155]])
    extras = {"heldout_accuracy": 563 / 600, "heldout_size": 600, "heldout_total": 600,
              "heldout_steps": (228, 228), "confusion": confusion,
              "class_names": ["circle", "square", "triangle", "cross"]}
    console = Console(width=38, record=True, color_system=None)
    console.print(confusion_view(extras, 38, 6))
    lines = console.export_text().splitlines()
    assert len(lines) <= 6 and "93.8%" in lines[0] and "step 228" in lines[0]
    assert lines[1].split() == ["circl", "squar", "trian", "cross"]
    assert [line.split()[1:] for line in lines[2:6]] == [[str(v) for v in row]
                                                         for row in confusion]
