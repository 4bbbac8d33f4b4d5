"""One labelled form control with room for the reason it is invalid, and the per-layer
choice (one select per layer of the model)."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from nntui.app.form import FormSpec


class LayerChoices(Vertical):
    """One compact select per layer (``layer 1 [relu ▼]``); its ``value`` is their
    choices joined with commas (``"relu,tanh"``)."""

    DEFAULT_CSS = """
    LayerChoices { height: auto; width: 1fr; }
    LayerChoices > Horizontal { height: auto; }
    LayerChoices Label { width: 8; color: $text-muted; }
    LayerChoices Select { width: 1fr; }
    """

    class Changed(Message):
        """A layer's choice changed."""

    def __init__(self, choices: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices = choices
        self._values: list[str] = []

    @property
    def value(self) -> str:
        return ",".join(self._values)

    @value.setter
    def value(self, text: str) -> None:
        self.set_values([v.strip() for v in text.split(",") if v.strip()])

    def set_count(self, n: int) -> None:
        """Show ``n`` layers (at least one): new layers take the last layer's choice."""
        values = self._values or [self.choices[0]]
        n = max(1, n)
        self.set_values((values + [values[-1]] * n)[:n])

    def set_values(self, values: list[str]) -> None:
        self._values = list(values) or [self.choices[0]]
        if self.is_mounted:
            self._rebuild()

    def on_mount(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        rows = list(self.query(Select))
        if len(rows) == len(self._values):
            for select, value in zip(rows, self._values, strict=True):
                if select.value != value:
                    select.set_options([(c, c) for c in self._options(value)])
                    select.value = value
            return
        self.remove_children()
        many = len(self._values) > 1
        self.mount_all(
            Horizontal(Label(f"layer {i + 1}" if many else "all"),
                       Select([(c, c) for c in self._options(value)], value=value,
                              allow_blank=False, compact=True, disabled=self.disabled))
            for i, value in enumerate(self._values))

    def _options(self, value: str) -> tuple[str, ...]:
        """The choices, and ``value`` when it is a preset's own (kept, not replaced)."""
        return self.choices if value in self.choices else (*self.choices, value)

    @on(Select.Changed)
    def _layer_changed(self, event: Select.Changed) -> None:
        event.stop()
        values = [str(s.value) for s in self.query(Select)]
        if values != self._values and len(values) == len(self._values):
            self._values = values
            self.post_message(self.Changed())


Control = Input | Select[str] | LayerChoices


def make_control(spec: FormSpec) -> Control:
    """The control for ``spec``'s kind, with its id."""
    wid = spec.widget_id
    if spec.kind == "per_layer":
        return LayerChoices(spec.choices, id=wid)
    if spec.kind == "choice":
        return Select([(c, c) for c in spec.choices], allow_blank=spec.key == "dataset",
                      compact=True, id=wid)
    input_type: Literal["integer", "number", "text"] = (
        "integer" if spec.kind == "int" else "number" if spec.kind == "float" else "text")
    placeholder = {"units": "e.g. 64,32", "text": "empty: the default"}.get(spec.kind, "")
    if spec.kind in ("int", "float") and not spec.default and spec.key.startswith("model."):
        placeholder = "empty: chosen for you"
    return Input(type=input_type, placeholder=placeholder, compact=True, id=wid)


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

    def __init__(self, spec: FormSpec) -> None:
        super().__init__(id=f"{spec.widget_id}-field")
        self.spec = spec
        self.field_name = spec.key
        self.label = spec.label
        self.control: Control = make_control(spec)
        self.error: str | None = None
        """Why the value is invalid; None when it is valid."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="form-field--label")
            yield self.control
        yield Static("", classes="form-field--error", markup=False)

    def on_mount(self) -> None:
        self.tooltip = self.spec.help or None

    @property
    def value(self) -> str:
        value = self.control.value
        return "" if value is Select.NULL else str(value)

    def set_enabled(self, enabled: bool, why: str = "") -> None:
        """Enable the control, or disable it with ``why`` as its tooltip."""
        self.control.disabled = not enabled
        if isinstance(self.control, Widget):
            self.control.tooltip = None if enabled else why

    def set_error(self, message: str | None) -> None:
        """Mark the field invalid with ``message`` (None: valid)."""
        self.error = message
        self.set_class(bool(message), "-invalid")
        if self.is_mounted:
            self.query_one(".form-field--error", Static).update(message or "")
        self.control.set_class(bool(message), "-invalid")
