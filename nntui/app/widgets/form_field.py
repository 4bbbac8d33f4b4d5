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


class _LayerRow(Horizontal):
    """One layer's label and select, kept by reference (a row not yet mounted cannot
    be queried)."""

    def __init__(self, label: Label, select: Select[str]) -> None:
        super().__init__(label, select)
        self.label = label
        self.select = select


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
        self._rows: list[_LayerRow] = []
        self._retry = False

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

    def compose(self) -> ComposeResult:
        self._rows = [self._row(i) for i in range(len(self._values))]
        yield from self._rows

    def _rebuild(self) -> None:
        """Bring the rows in line with the values. Rows are added at once; a row whose
        select is still mounting is neither removed nor re-set until it has mounted (two
        quick changes of the layer count used to remove a Select mid-mount: a crash)."""
        n = len(self._values)
        if len(self._rows) < n:
            new = [self._row(i) for i in range(len(self._rows), n)]
            self._rows += new
            self.mount_all(new)
        while len(self._rows) > n and self._rows[-1].select.is_mounted:
            self._rows.pop().remove()
        settled = len(self._rows) == n
        for i, (row, value) in enumerate(zip(self._rows, self._values, strict=False)):
            row.label.update(self._label(i))
            select = row.select
            if select.value == value:
                continue
            if not select.is_mounted:
                settled = False
                continue
            select.set_options([(c, c) for c in self._options(value)])
            select.value = value
        if not settled and not self._retry:
            self._retry = True
            self.set_timer(0.02, self._retry_rebuild)

    def _retry_rebuild(self) -> None:
        self._retry = False
        self._rebuild()

    def _label(self, i: int) -> str:
        return f"layer {i + 1}" if len(self._values) > 1 else "all"

    def _row(self, i: int) -> _LayerRow:
        value = self._values[i]
        select: Select[str] = Select([(c, c) for c in self._options(value)], value=value,
                                     allow_blank=False, compact=True, disabled=self.disabled,
                                     name=str(i))
        return _LayerRow(Label(self._label(i)), select)

    def _options(self, value: str) -> tuple[str, ...]:
        """The choices, and ``value`` when it is a preset's own (kept, not replaced)."""
        return self.choices if value in self.choices else (*self.choices, value)

    @on(Select.Changed)
    def _layer_changed(self, event: Select.Changed) -> None:
        event.stop()
        i = int(event.select.name or 0)
        # A change event is the learner's only while its select still holds that value:
        # an event queued before the rows were re-set describes a value already replaced.
        if (i < len(self._values) and event.value == event.select.value
                and str(event.value) != self._values[i]):
            self._values[i] = str(event.value)
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
