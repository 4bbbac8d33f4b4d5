"""The GPT panel: what it draws from a tiny GPT's snapshot (the sample, the candidates
behind each written token, attention over the prompt, the loss), keys and looks."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.panels import GptPanel, panel_for
from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.panel_data import compute_panel_data
from nntui.presets import load_preset
from tests.app.conftest import asynctest
from tests.app.panel_harness import PanelApp, history_with_extras

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\n\nJULIET:\nAy me!\n" * 20


@functools.cache
def session_and_extras() -> tuple[Any, dict[str, Any]]:
    corpus = Path(tempfile.mkdtemp()) / "play.txt"
    corpus.write_text(TEXT)
    session = build_session(load_preset("gpt-shakespeare", [
        "dataset.name='text'", f"dataset.path='{corpus}'", "dataset.block_size=24",
        "dataset.n_samples=64", "model.embed_dim=16", "model.blocks=2", "train.epochs=1"]))
    trainer = session.trainer(snapshot_every=0)
    return session, compute_panel_data(session, session.model, trainer.x_val, trainer.y_val)


def history() -> RunHistory:
    h = RunHistory()
    for step in range(1, 41):
        h.apply(ev.StepCompleted(step, 1, step, {"loss": 4.0 * np.exp(-step / 30) + 1.5},
                                 0.002, 100.0, step * 0.1))
        if step % 20 == 0:
            h.apply(ev.EpochCompleted(step // 20, step, {"loss": 2.0,
                                                         "val_loss": 2.5 - step / 100}, 1.0))
    return history_with_extras(session_and_extras()[1], h)


def test_extras_hold_a_sample_from_the_prompt_with_each_tokens_distribution() -> None:
    session, extras = session_and_extras()
    assert extras["prompt"] == "ROMEO:\n"
    assert len(extras["sample"]) == len(extras["steps"]) == 120
    for _, cands in extras["steps"]:
        probs = [q for _, q in cands]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-9
    first_chosen = "".join(c for c, _ in extras["steps"])
    assert first_chosen == extras["sample"]
    attention = extras["attention"]  # (blocks, heads, P, P), causal rows summing to one
    assert attention.shape == (2, 4, 7, 7)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.triu(attention, k=1) == 0)


def test_the_same_weights_write_the_same_sample() -> None:
    session, extras = session_and_extras()
    again = compute_panel_data(session, session.model, session.x_val, session.y_val)
    assert again["sample"] == extras["sample"]


def test_registry_mounts_the_gpt_panel() -> None:
    assert panel_for("gpt") is GptPanel


def test_panel_builds_at_small_and_large_sizes() -> None:
    panel = GptPanel("gpt")
    h = history()
    for w, hgt in ((40, 12), (80, 40), (140, 60)):
        for view in range(4):
            panel.view = view
            console = Console(width=w, height=hgt, record=True, color_system="truecolor")
            console.print(panel.build(h, Size(w, hgt)))
            text = console.export_text()
            assert len(text.splitlines()) <= hgt, (w, hgt, view)


def test_loss_view_states_the_validation_loss_and_its_perplexity() -> None:
    panel = GptPanel("gpt")
    panel.view = 2
    console = Console(width=100, height=30, record=True)
    console.print(panel.build(history(), Size(100, 30)))
    text = console.export_text()
    assert f"validation 2.100, perplexity e^loss = {np.exp(2.1):.2f}" in text


def text_of(panel: GptPanel, h: RunHistory, size: tuple[int, int] = (80, 40)) -> str:
    console = Console(width=size[0], height=size[1], record=True)
    console.print(panel.build(h, Size(*size)))
    return console.export_text()


@asynctest
async def test_u_walks_through_the_written_tokens() -> None:
    h = history()
    app = PanelApp("gpt", h)
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.panel
        assert isinstance(panel, GptPanel)
        assert "token 1/120" in text_of(panel, h)
        await pilot.press("u", "u")
        assert panel.unit == 2 and "token 3/120" in text_of(panel, h)


def test_gpt_panel_snapshot(snap_compare: Any) -> None:
    assert snap_compare(PanelApp("gpt", history()), terminal_size=(80, 40))
