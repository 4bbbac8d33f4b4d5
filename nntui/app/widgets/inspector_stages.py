"""The inspector's stage bar: forward layer by layer, loss, backward, update."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nntui.inspect.state import InspectorState

PHASE_STYLE = {"forward": "green", "loss": "yellow", "backward": "magenta", "update": "cyan"}


def stage_line(state: InspectorState) -> Text:
    """Every stage in order, the current one in reverse video."""
    text = Text()
    names = state.names
    for k, st in enumerate(state.stages):
        if k:
            text.append(" → " if st.phase == stages_phase(state, k - 1) else " ┃ ", style="dim")
        style = PHASE_STYLE[st.phase]
        text.append(st.label(names), style=f"reverse bold {style}" if k == state.index else style)
    return text


def stages_phase(state: InspectorState, k: int) -> str:
    return state.stages[k].phase


class StageBar(Static):
    """Where the learner is in the walk through one step."""

    DEFAULT_CSS = """
    StageBar { height: auto; padding: 0 1; background: $boost; }
    """

    def show(self, state: InspectorState, batch: str) -> None:
        line = stage_line(state)
        ex = state.explain()
        info = Text(f"{ex.title}   ", style="bold")
        info.append(batch, style="dim")
        sel = "   ".join(f"{k} {cur + 1}/{n}" for k, (cur, n) in ex.selectors.items() if n > 1)
        if sel:
            info.append(f"   {sel}", style="dim")
        self.update(Text("\n").join([line, info]))
