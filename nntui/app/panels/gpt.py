"""GPT: the text it writes as it learns, each token's candidates, attention over the
prompt, and the validation loss in nats per token beside its perplexity."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.binding import Binding

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.panels.gpt_controls import (
    TEMPERATURES,
    TOP_KS,
    PromptScreen,
    live_session,
    next_in,
)
from nntui.app.panels.tokens import merges_view, tokens_view
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.panel_data import compute_panel_data
from nntui.panel_data.gpt import SamplingSettings, settings
from nntui.viz import ProbabilityBars
from nntui.viz.heatmap import head_maps
from nntui.viz.line_chart import LineChart


def shown(token: str) -> str:
    """A token as one visible label: newline as ↵, space as ·."""
    return token.replace("\n", "↵").replace(" ", "·") or "∅"


def sample_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """The prompt (dim) and what the model wrote after it (bold), wrapped."""
    text = Text(extras["prompt"], style="dim")
    text.append(extras["sample"], style="bold")
    return text


def candidates_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                    ) -> RenderableType:
    """For the written token picked with ``u``: the distribution it was drawn from."""
    steps = extras["steps"]
    if not steps:
        return Text("nothing written", style="dim")
    i = panel.pick(len(steps), "unit")
    chosen, cands = steps[i]
    before = (extras["prompt"] + extras["sample"][:i])[-24:]
    line = Text(f"token {i + 1}/{len(steps)} (u: next): …{shown(before)}", style="dim")
    line.append(shown(chosen), style="bold reverse")
    names = [shown(t) for t, _ in cands]
    probs = np.array([q for _, q in cands])
    q = next((p for t, p in cands if t == chosen), None)
    drawn = Text(f"drawn: {shown(chosen)}" + ("" if q is None else f" ({q:.1%})")
                 + "; the most probable were:", style="dim")
    bars = ProbabilityBars(probs, names, width=max(4, min(30, width - 20)))
    return Group(line, drawn, bars)


def attention_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                   ) -> RenderableType:
    """Each head of the last block: which prompt tokens (columns) each one (rows) reads."""
    attention = extras["attention"][-1]  # (H, P, P)
    labels = [shown(t) for t in extras["prompt_tokens"]]
    return head_maps(attention, labels, width)


def loss_view(history: RunHistory, width: int, height: int) -> RenderableType:
    """Validation loss (nats per token) per epoch and perplexity e^loss, the last value."""
    val = history.epoch_metrics.get("val_loss")
    train = history.step_metrics.get("loss")
    series = {}
    if train is not None and len(train):
        series["train"] = (train.x, train.smooth)
    if val is not None and len(val):
        series["validation"] = (val.x, val.y)
    if not series:
        return Text("no steps yet", style="dim")
    last = val.y[-1] if val is not None and len(val) else None
    title = "loss (nats per token)"
    if last is not None and math.isfinite(last):
        title += f"   validation {last:.3f}, perplexity e^loss = {math.exp(min(last, 50)):.2f}"
    return LineChart(series, width=width, height=max(3, height), title=title)


@register_arch_panel("gpt")
class GptPanel(SectionPanel):
    """What the model writes after the prompt (the same seed every snapshot), the
    candidates behind each written token (``u``), each head's attention over the
    prompt, the loss with its perplexity, and how the text is cut into tokens.

    Keys (live runs): ``g`` type a prompt, ``T`` next temperature, ``k`` next top-k,
    ``m`` the tokenizer's next merges.
    """

    BINDINGS = [
        *SectionPanel.BINDINGS,
        Binding("g", "prompt", "Prompt", tooltip="Type the text the model continues"),
        Binding("T", "temperature", "Temperature", tooltip="Next sampling temperature "
                "(0.8, 1, 1.5, 0 greedy, 0.5); shift+t: t is the dashboard's time travel"),
        Binding("k", "top_k", "Top-k", tooltip="Next top-k (all, 40, 10, 3, 1)"),
        Binding("m", "cycle('page')", "Merges", tooltip="The tokenizer's next merges"),
    ]

    def __init__(self, architecture: str = "", *, id: str | None = "arch-panel") -> None:
        super().__init__(architecture, id=id)
        self.page = 0
        """Which page of the tokenizer's merges the merges view shows."""

    def extra_version(self, history: RunHistory) -> object:
        return history.curves_version // 8, self.page

    # controls --------------------------------------------------------------------------
    def action_prompt(self) -> None:
        live = live_session(self.screen)
        if live is None:
            self.notify("the prompt can be changed in a live run only", severity="warning")
            return
        session = live[0]
        current = settings(session)
        tok = session.info["tokenizer"]

        def typed(text: str | None) -> None:
            if text is not None:
                self._apply(replace(current, prompt=tok.encode(text)))

        self.app.push_screen(PromptScreen(tok.decode(current.prompt), tok), typed)

    def action_temperature(self) -> None:
        self._change(lambda s: replace(s, temperature=next_in(TEMPERATURES, s.temperature)))

    def action_top_k(self) -> None:
        self._change(lambda s: replace(s, top_k=next_in(TOP_KS, s.top_k)))

    def _change(self, how: Any) -> None:
        live = live_session(self.screen)
        if live is None:
            self.notify("sampling can be changed in a live run only", severity="warning")
            return
        self._apply(how(settings(live[0])))

    def _apply(self, new: SamplingSettings) -> None:
        """Hand ``new`` to the run; write a sample now when the trainer is idle."""
        session, trainer = live_session(self.screen)  # type: ignore[misc]
        session.info["sampling"] = new
        top_k = new.top_k or "all"
        idle = trainer is None or trainer.paused or trainer.stopped or getattr(
            self.history, "state", "") in ("finished", "stopped")
        self.notify(f"temperature {new.temperature:g}, top-k {top_k}"
                    + ("" if idle else ": from the next snapshot"))
        if idle:
            self._resample(session, trainer)

    @work(thread=True, exclusive=True, group="gpt-sample")
    def _resample(self, session: Any, trainer: Any) -> None:
        x_val = None if trainer is None else trainer.x_val
        y_val = None if trainer is None else trainer.y_val
        extras = compute_panel_data(session, session.model, x_val, y_val)
        self.app.call_from_thread(self._show_extras, extras)

    def _show_extras(self, extras: dict[str, Any]) -> None:
        if self.history is not None:
            self.history.extras = extras
            self.history.snapshot_version += 1
            self.refresh()

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "sample" not in extras:
            return []
        top_k = extras["top_k"] or "all"
        p = len(extras["prompt_tokens"])
        return [
            Section(f"written at temperature {extras['temperature']:g}, top-k {top_k}",
                    lambda w, h: sample_view(extras, w, h), 5),
            Section("the distribution each token was drawn from",
                    lambda w, h: candidates_view(self, extras, w, h), 7, grow=False),
            Section("loss", lambda w, h: loss_view(history, w, h), 8),
            Section("attention over the prompt, last block (rows read columns)",
                    lambda w, h: attention_view(self, extras, w, h), p + 3),
            Section("tokens: how the text is cut", lambda w, h: tokens_view(extras, w, h), 5),
            Section("the tokenizer's merges", lambda w, h: merges_view(extras, self.page, w, h),
                    12),
        ]
