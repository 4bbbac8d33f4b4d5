"""The footer, showing only the keys that fit whole.

Textual's footer cuts the last key it has room for in half (``e Epo``). This one keeps
the screen's order (the keys a newcomer needs first) and drops the keys from the
first that would not fit, so what shows can be read; help (``?``) lists them all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_ROOM = 13  # the command palette's key at the right end ("▏^p palette")


def key_width(key: FooterKey) -> int:
    """Cells a key takes: `` key description `` and the gap after it."""
    return len(key.key_display) + len(key.description) + 3


class KeyFooter(Footer):
    """A footer of whole keys; it recomposes when the terminal is resized."""

    def compose(self) -> ComposeResult:
        room = self.app.size.width - PALETTE_ROOM
        used = 0
        full = False
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "-command-palette" not in widget.classes:
                used += key_width(widget)
                full = full or used > room
                if full:
                    continue
            yield widget

    async def on_resize(self, event: Resize) -> None:
        if self.is_mounted:
            await self.recompose()
