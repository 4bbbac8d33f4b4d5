"""The GPT panel's controls (Pilot): a prompt box, temperature and top-k keys, the
tokenizer's views; on a tiny GPT (characters, and a byte-pair encoding)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.console import Console
from textual.geometry import Size
from textual.widgets import Input, Static

from nntui.app.history import RunHistory
from nntui.app.panels import GptPanel
from nntui.app.panels.gpt_controls import PromptScreen
from nntui.app.panels.tokens import visible
from nntui.architectures import build_session
from nntui.panel_data import compute_panel_data
from nntui.presets import load_preset
from tests.app.conftest import asynctest, wait_until
from tests.app.panel_harness import PanelApp, history_with_extras

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\n\nJULIET:\nAy me!\n" * 20


@functools.cache
def corpus() -> Path:
    path = Path(tempfile.mkdtemp()) / "play.txt"
    path.write_text(TEXT)
    return path


def session(tokenizer: str = "char") -> Any:
    return build_session(load_preset("gpt-shakespeare", [
        "dataset.name='text'", f"dataset.path='{corpus()}'", "dataset.block_size=24",
        "dataset.n_samples=64", f"dataset.tokenizer='{tokenizer}'", "dataset.merges=20",
        "model.embed_dim=16", "model.blocks=1", "train.epochs=1"]))


def live_app(s: Any) -> tuple[PanelApp, RunHistory]:
    history = history_with_extras(compute_panel_data(s, s.model, s.x_val, s.y_val))
    return PanelApp("gpt", history), history


def text_of(panel: GptPanel, h: RunHistory, size: tuple[int, int] = (100, 60)) -> str:
    console = Console(width=size[0], height=size[1], record=True)
    console.print(panel.build(h, Size(*size)))
    return console.export_text()


@asynctest
async def test_t_and_k_change_the_sampling_and_a_paused_run_writes_again_at_once() -> None:
    s = session()
    app, history = live_app(s)
    async with app.run_test(size=(100, 60)) as pilot:
        app.screen.training = SimpleNamespace(session=s, trainer=None)  # idle (paused/ended)
        before = history.extras["sample"]
        await pilot.press("T")
        assert s.info["sampling"].temperature == 1.0
        await wait_until(pilot, lambda: history.extras["temperature"] == 1.0)
        await pilot.press("k", "k")
        assert s.info["sampling"].top_k == 10
        await wait_until(pilot, lambda: history.extras["top_k"] == 10)
        assert all(len(c) <= 10 for _, c in history.extras["steps"])
        assert history.extras["sample"] != before
        panel = app.panel
        assert isinstance(panel, GptPanel)
        assert "written at temperature 1, top-k 10" in text_of(panel, history)


@asynctest
async def test_the_prompt_box_sets_what_the_model_continues_and_refuses_unknown_characters(
        ) -> None:
    s = session()
    app, history = live_app(s)
    async with app.run_test(size=(100, 60)) as pilot:
        app.screen.training = SimpleNamespace(session=s, trainer=None)
        await pilot.press("g")
        assert isinstance(app.screen, PromptScreen)
        box = app.screen.query_one(Input)
        box.value = "Ré"
        await pilot.press("enter")
        assert isinstance(app.screen, PromptScreen)  # refused, still open
        assert "'é' is not in the vocabulary" in str(app.screen.query_one(
            "#prompt-error", Static).render())
        box.value = "JULIET:\\n"
        await pilot.press("enter")
        assert not isinstance(app.screen, PromptScreen)
        await wait_until(pilot, lambda: history.extras["prompt"] == "JULIET:\n")
        assert "".join(history.extras["tokens"]) == "JULIET:\n" + history.extras["sample"]


@asynctest
async def test_a_replay_has_no_model_to_prompt() -> None:
    s = session()
    app, history = live_app(s)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("t", "g")
        assert "sampling" not in s.info or s.info["sampling"].temperature == 0.8
        assert not isinstance(app.screen, PromptScreen)


def test_bpe_tokens_and_merges_are_drawn_page_by_page() -> None:
    s = session("bpe")
    extras = compute_panel_data(s, s.model, s.x_val, s.y_val)
    assert extras["tokenizer"] == "bpe" and len(extras["merges"]) == 20
    assert extras["vocab_size"] == len(set(TEXT)) + 20
    assert 1.5 < extras["chars_per_token"] < 4  # merged tokens span several characters
    assert any(len(t) > 1 for t in extras["tokens"])
    h = history_with_extras(extras)
    panel = GptPanel("gpt")
    panel.view = 5  # the merges
    first = text_of(panel, h)
    assert "merges 1-8 of 20 (m: next)" in first
    left, right = (visible(t).replace("\n", "") for t in extras["merges"][0][:2])
    assert f"   1. {left} + {right}  seen {extras['merges'][0][2]:,} times" in first
    panel.page = 2
    assert "merges 17-20 of 20" in text_of(panel, h)
    panel.view = 4  # the tokens
    assert "byte-pair encoding: " in text_of(panel, h)
