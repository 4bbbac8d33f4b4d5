"""``nntui run script.py``: the learner's script running, and each of its fits, live.

The screen lists the run folders the script's fits write and opens the newest on a
:class:`~nntui.app.screens.replay_screen.ReplayScreen` following it; Esc there comes
back to the list, Enter on a fit opens it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static

from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.widgets.key_footer import KeyFooter
from nntui.errors import NntuiError

POLL_SECONDS = 0.5


class ScriptScreen(Screen[None]):
    """The fits of one running script (a :class:`~nntui.commands.run.ScriptProcess`)."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", tooltip="Stop the script and quit"),
    ]
    LISTS_RUNS = True
    """Esc on a fit's replay screen comes back here."""

    def __init__(self, script: Any) -> None:
        super().__init__()
        self.script = script
        self.fits: list[Path] = []
        """The run folders of the script's fits, oldest first."""

    def compose(self) -> ComposeResult:
        yield Static(id="script-state")
        yield OptionList(id="fits")
        yield KeyFooter()

    @property
    def state_line(self) -> Static:
        return self.query_one("#script-state", Static)

    def on_mount(self) -> None:
        self.sub_title = f"nntui run {self.script.script.name}"
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def state_text(self) -> str:
        code = self.script.returncode
        fits = f"{len(self.fits)} fit{'s' if len(self.fits) != 1 else ''}"
        if code is None:
            what = "running" if self.fits else "running; waiting for its first fit"
        else:
            what = f"ended with exit status {code} (its output is printed when you quit)"
        return f"{self.script.script.name}: {what} · {fits} · Enter opens one, q quits"

    def poll(self) -> None:
        """New fits join the list; the newest opens (unless a fit is being looked back at)."""
        new = [p for p in self.script.runs() if p not in self.fits]
        for folder in new:
            self.fits.append(folder)
            self.query_one(OptionList).add_option(f"fit {len(self.fits)}: {folder.name}")
        self.state_line.update(self.state_text())
        if new and self._following():
            self.open_fit(len(self.fits) - 1)

    def _following(self) -> bool:
        """This list is on screen, or the newest fit before the new one is."""
        screen = self.app.screen
        return screen is self or (isinstance(screen, ReplayScreen) and len(self.fits) > 1
                                  and screen.stream.logdir == self.fits[-2])

    def open_fit(self, index: int) -> None:
        """Show fit ``index`` (0-based) on a replay screen following its folder."""
        try:
            screen = ReplayScreen(self.fits[index])
        except NntuiError as exc:
            self.notify(str(exc), title="nntui run", severity="error", markup=False)
            return
        screen.sub_title = f"fit {index + 1} of {self.script.script.name}: {self.fits[index]}"
        if isinstance(self.app.screen, ReplayScreen):
            self.app.switch_screen(screen)
        else:
            self.app.push_screen(screen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open_fit(event.option_index)
