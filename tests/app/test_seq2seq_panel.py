"""The encoder–decoder panel: held-out translations, the cross-attention map and a beam,
from a tiny seq2seq session; keys and looks."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from rich.console import Console
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.panels import Seq2SeqPanel, panel_for
from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.panel_data import compute_panel_data
from nntui.presets import load_preset
from tests.app.conftest import asynctest
from tests.app.panel_harness import PanelApp, history_with_extras


@functools.cache
def session_and_extras() -> tuple[Any, dict[str, Any]]:
    session = build_session(load_preset("seq2seq-dates", [
        "dataset.n_samples=200", "model.embed_dim=16", "model.encoder_blocks=1",
        "model.decoder_blocks=1", "train.epochs=1"]))
    trainer = session.trainer(snapshot_every=0)
    return session, compute_panel_data(session, session.model, trainer.x_val, trainer.y_val)


def history() -> RunHistory:
    h = RunHistory()
    for epoch in range(1, 4):
        metrics = {"loss": 1.0, "val_accuracy": 0.5 + 0.1 * epoch, "val_exact": 0.3 * epoch}
        h.apply(ev.EpochCompleted(epoch, 10 * epoch, metrics, 1.0))
    return history_with_extras(session_and_extras()[1], h)


def text_of(panel: Seq2SeqPanel, h: RunHistory, size: tuple[int, int] = (100, 50)) -> str:
    console = Console(width=size[0], height=size[1], record=True)
    console.print(panel.build(h, Size(*size)))
    return console.export_text()


def test_extras_pair_held_out_sources_with_greedy_outputs_and_attention_rows_sum_to_one() -> None:
    session, extras = session_and_extras()
    ds = session.dataset
    assert extras["sources"][0] == ds.meta["sources"][0]
    assert extras["truths"][0] == ds.meta["targets"][0]
    assert all(len(o) == 10 for o in extras["outputs"])
    attention = extras["attention"]  # (P, H, T, S)
    assert attention.shape == (6, 4, 10, 30)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)
    scores = [lp for _, lp in extras["beams"][0]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True) and scores[0] < 0


def test_registry_mounts_the_seq2seq_panel_and_it_fits_every_size() -> None:
    assert panel_for("seq2seq") is Seq2SeqPanel
    panel, h = Seq2SeqPanel("seq2seq"), history()
    for w, hgt in ((40, 12), (80, 40), (140, 60)):
        for view in range(4):
            panel.view = view
            assert len(text_of(panel, h, (w, hgt)).splitlines()) <= hgt


@asynctest
async def test_u_cycles_heads_then_their_mean_and_p_the_input() -> None:
    h = history()
    app = PanelApp("seq2seq", h)
    async with app.run_test(size=(100, 50)) as pilot:
        panel = app.panel
        assert isinstance(panel, Seq2SeqPanel)
        assert "head 1 of 4" in text_of(panel, h)
        await pilot.press("u", "u", "u", "u")
        assert "mean of the heads" in text_of(panel, h)
        sources = session_and_extras()[1]["sources"]
        await pilot.press("p")
        assert f"{sources[1]}  (p: next input)" in text_of(panel, h)


def test_exact_match_is_drawn_from_the_logged_epochs() -> None:
    panel = Seq2SeqPanel("seq2seq")
    panel.view = 3
    assert "exact match 90.0 %" in text_of(panel, history())


def test_seq2seq_panel_snapshot(snap_compare: Any) -> None:
    assert snap_compare(PanelApp("seq2seq", history()), terminal_size=(100, 50))
