"""Shown instead of a broken layout when the terminal is too small."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 18


class TooSmallScreen(Screen[None]):
    """A centred request for a larger window; the app pops it when the size is back."""

    def compose(self) -> ComposeResult:
        yield Static(f"make the window larger\n(at least {MIN_WIDTH}×{MIN_HEIGHT})",
                     id="too-small")
