"""One labelled form control with room for the reason it is invalid."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static


class FormField(Vertical):
    """``label  [control]`` on one line, the error (if any) on the next."""

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > Horizontal { height: auto; }
    FormField Label.form-field--label { width: 15; padding: 0 1 0 0; color: $text-muted; }
    FormField .form-field--error { color: $text-error; padding: 0 0 0 15; display: none; }
    FormField.-invalid .form-field--error { display: block; }
    FormField.-invalid Label.form-field--label { color: $text-error; }
    """

    def __init__(self, name: str, label: str, control: Input | Select[str]) -> None:
        super().__init__(id=f"{name.replace('_', '-')}-field")
        self.field_name = name
        self.label = label
        self.control = control
        self.error: str | None = None
        """Why the value is invalid; None when it is valid."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="form-field--label")
            yield self.control
        yield Static("", classes="form-field--error")

    def set_label(self, label: str) -> None:
        self.label = label
        if self.is_mounted:
            self.query_one(".form-field--label", Label).update(label)

    def set_enabled(self, enabled: bool, why: str = "") -> None:
        """Enable the control, or disable it with ``why`` as its tooltip."""
        self.control.disabled = not enabled
        self.control.tooltip = None if enabled else why

    def set_error(self, message: str | None) -> None:
        """Mark the field invalid with ``message`` (None: valid)."""
        self.error = message
        self.set_class(bool(message), "-invalid")
        self.query_one(".form-field--error", Static).update(message or "")
        self.control.set_class(bool(message), "-invalid")
