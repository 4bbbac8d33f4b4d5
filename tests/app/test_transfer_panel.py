"""The transfer panel's comparison of the transferred model with its from-scratch twin."""

from __future__ import annotations

from rich.console import Console
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.panels import TransferPanel
from nntui.engine import events as ev
from tests.app.panel_harness import history_with_extras


def test_the_margin_over_the_from_scratch_twin_is_drawn_from_the_logged_epochs() -> None:
    h = RunHistory()
    for epoch, (ours, scratch) in enumerate([(0.5, 0.3), (0.8, 0.6), (0.86, 0.75)], start=1):
        h.apply(ev.EpochCompleted(epoch, 5 * epoch, {"loss": 1.0, "val_accuracy": ours,
                                                    "scratch_val_accuracy": scratch}, 1.0))
    extras = {"layers": [("conv2d", "Conv2D", 320, False), ("output", "Dense", 85, True)],
              "pretrain_accuracy": 0.99, "accuracy_before": 0.2}
    panel = TransferPanel("transfer")
    console = Console(width=90, height=30, record=True)
    console.print(panel.build(history_with_extras(extras, h), Size(90, 30)))
    text = console.export_text()
    assert "transferred vs from scratch, the same labelled samples" in text
    assert "transferred − from scratch = +11.0%" in text
    assert "❄ frozen" in text
