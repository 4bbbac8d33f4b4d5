"""A small dialog asking where to save a file (a config, a drawn dataset)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


def check_save_path(text: str, suffix: str) -> Path:
    """The path ``text`` names, ending in ``suffix``, in a folder that exists.

    Raises:
        ValueError: empty, another suffix, or no such folder (the message says which).
    """
    text = text.strip()
    if not text:
        raise ValueError("type a file name")
    path = Path(text).expanduser()
    if path.suffix != suffix:
        raise ValueError(f"the file must end in {suffix}. Received: {text!r}")
    if not path.parent.is_dir():
        raise ValueError(f"no such folder: {str(path.parent)!r}")
    if path.is_dir():
        raise ValueError(f"{text!r} is a folder")
    return path


class PathScreen(ModalScreen[Path | None]):
    """Returns the typed path (checked by :func:`check_save_path`), or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, default: str, suffix: str) -> None:
        super().__init__()
        self.question, self.default, self.suffix = question, default, suffix

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog", classes="dialog"):
            yield Label(f"{self.question}; Enter saves, Esc cancels")
            yield Input(self.default, id="path-input")
            yield Static("", id="path-error", classes="dialog--error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            path = check_save_path(event.value, self.suffix)
        except ValueError as exc:
            self.query_one("#path-error", Static).update(str(exc))
            self.query_one(Input).add_class("-invalid")
            return
        self.dismiss(path)
