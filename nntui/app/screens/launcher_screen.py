"""The launcher: pick an architecture and a preset, adjust the hyper-parameters, train.

Every change is validated at once (the form's parser, then ``spec_from_dict``);
an invalid field shows its reason under it and nothing starts until all are
valid. Enter on a preset (the default one is highlighted at start) trains it.
"""

from __future__ import annotations

from typing import Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from nntui.app import form
from nntui.app.catalog import Catalog
from nntui.app.widgets.form_field import FormField
from nntui.errors import NntuiError

DEFAULT_ARCHITECTURE = "mlp"
LABELS = {"dataset": "dataset", "layers": "hidden units", "activation": "activation",
          "optimizer": "optimizer", "learning_rate": "learning rate", "batch_size": "batch size",
          "epochs": "epochs", "l1": "L1", "l2": "L2", "dropout": "dropout", "seed": "seed",
          "backend": "backend"}
UNITS_LABELS = {"hidden": "hidden units", "dense": "dense units", "generator": "generator units",
                "encoder": "encoder units"}
CHOICES = {"activation": form.ACTIVATIONS, "optimizer": form.OPTIMIZERS,
           "backend": form.BACKENDS}


def _control(name: str) -> Select[str] | Input:
    if name == "dataset":
        return Select([], allow_blank=True, compact=True, id="dataset")
    if name in CHOICES:
        options = [(c, c) for c in CHOICES[name]]
        return Select(options, allow_blank=False, compact=True, id=name.replace("_", "-"))
    kind = form.TRAIN_FIELDS.get(name)
    input_type: Literal["integer", "number", "text"] = (
        "integer" if kind is int else "number" if kind is float else "text")
    placeholder = "e.g. 64,32" if name == "layers" else ""
    return Input(type=input_type, placeholder=placeholder, compact=True,
                 id=name.replace("_", "-"))


class LauncherScreen(Screen[None]):
    """Architecture list, presets, hyper-parameter form; starts a training run."""

    BINDINGS = [
        Binding("ctrl+t", "train", "Train", tooltip="Validate the form and start training",
                id="train"),
        Binding("f1", "app.help", "Help", id="help"),
    ]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.architecture = ""
        self.base: dict[str, Any] = {}
        self._filling = False
        self._choices: dict[str, list[str]] = {k: list(v) for k, v in CHOICES.items()}

    # layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="launcher-body"):
            with Vertical(id="launcher-choose"):
                yield Label("Architecture", classes="launcher--heading")
                yield OptionList(id="architectures")
                yield Label("Presets  (Enter trains)", classes="launcher--heading")
                yield OptionList(id="presets")
            with VerticalScroll(id="launcher-form"):
                yield Static(id="preset-description")
                for name in form.FIELDS:
                    yield FormField(name, LABELS[name], _control(name))
                yield Button("Train", variant="primary", id="train-button")
        yield Footer()

    def on_mount(self) -> None:
        archs = self.catalog.architectures()
        options = [Option(_arch_prompt(a), id=name) for name, a in archs.items()]
        arch_list = self.query_one("#architectures", OptionList)
        arch_list.add_options(options)
        names = list(archs)
        if names:
            start = DEFAULT_ARCHITECTURE if DEFAULT_ARCHITECTURE in archs else names[0]
            arch_list.highlighted = names.index(start)
            self.choose_architecture(start)
        self.query_one("#presets", OptionList).focus()

    # lookups ---------------------------------------------------------------------------
    def field(self, name: str) -> FormField:
        return self.query_one(f"#{name.replace('_', '-')}-field", FormField)

    @property
    def invalid_fields(self) -> dict[str, str]:
        """``{field: reason}`` of the fields marked invalid."""
        return {f.field_name: f.error for f in self.query(FormField) if f.error}

    def values(self) -> dict[str, str]:
        out = {}
        for f in self.query(FormField):
            value = f.control.value
            out[f.field_name] = "" if value is Select.NULL else str(value)
        return out

    # choosing --------------------------------------------------------------------------
    def choose_architecture(self, name: str) -> None:
        self.architecture = name
        presets = [p for p in self.catalog.presets() if p.architecture == name]
        plist = self.query_one("#presets", OptionList)
        plist.clear_options()
        plist.add_options([Option(_preset_prompt(p), id=p.name) for p in presets])
        default = self.catalog.architectures()[name].default_preset
        ids = [p.name for p in presets]
        if ids:
            plist.highlighted = ids.index(default) if default in ids else 0
        datasets = self.catalog.compatible_datasets(name)
        self._set_choices("dataset", datasets)
        self._enable_model_fields(name)
        self.load_preset(ids[plist.highlighted or 0] if ids else None, datasets)

    def _enable_model_fields(self, architecture: str) -> None:
        """The layers and activation fields only where the architecture has those settings."""
        key = form.units_key(architecture)
        layers = self.field("layers")
        layers.set_label(UNITS_LABELS.get(key or "", LABELS["layers"]))
        layers.set_enabled(key is not None, f"the {architecture} architecture has no layer "
                                            "sizes to set here (edit its config file)")
        self.field("activation").set_enabled(
            form.has_activation(architecture),
            f"the {architecture} architecture has no activation setting")

    def _set_choices(self, name: str, choices: list[str]) -> None:
        self._choices[name] = list(choices)
        control = self.field(name).control
        if isinstance(control, Select):
            control.set_options([(c, c) for c in choices])

    def load_preset(self, preset: str | None, datasets: list[str] | None = None) -> None:
        """Fill the form from ``preset`` (None: a bare config for the architecture)."""
        try:
            if preset is not None:
                self.base = self.catalog.load_preset(preset).to_dict()
            else:
                names = datasets or self.catalog.compatible_datasets(self.architecture)
                self.base = {"name": self.architecture, "architecture": self.architecture,
                             "dataset": {"name": names[0] if names else ""}}
        except NntuiError as exc:
            self.notify(str(exc), title="preset", severity="error")
            return
        description = self.base.get("description") or ""
        expect = (self.base.get("expect") or {}).get("text", "")
        self.query_one("#preset-description", Static).update(
            Text.assemble((str(self.base.get("title", preset or "")), "bold"), "\n",
                          description, ("\n" + expect if expect else "", "dim italic")))
        self._fill(form.form_values(self.base))

    def _fill(self, values: dict[str, str]) -> None:
        self._filling = True
        try:
            for f in self.query(FormField):
                value = values.get(f.field_name, "")
                if isinstance(f.control, Select):
                    choices = self._choices.get(f.field_name, [])
                    if value and value not in choices:  # a preset's own choice
                        self._set_choices(f.field_name, [*choices, value])
                    if value:
                        f.control.value = value
                    elif f.field_name == "dataset":
                        f.control.value = Select.NULL
                else:
                    f.control.value = value
                f.set_error(None)
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False
        self.validate()

    # validating and starting -----------------------------------------------------------
    def validate(self) -> Any | None:
        """Mark invalid fields; return the RunSpec when everything is valid."""
        for f in self.query(FormField):
            f.set_error(None)
        try:
            d = form.apply_form(self.base, self.values())
            return self.catalog.spec_from_dict(d)
        except form.FieldError as exc:
            self.field(exc.field).set_error(str(exc))
        except NntuiError as exc:
            name = form.field_for_error(str(exc))
            if name is not None:
                self.field(name).set_error(str(exc))
            else:
                self.notify(str(exc), title="config", severity="error")
        return None

    def action_train(self) -> None:
        spec = self.validate()
        if spec is None:
            self.notify("fix the marked fields first", severity="warning")
            return
        self.app.start_training(spec)  # type: ignore[attr-defined]

    @on(OptionList.OptionHighlighted, "#architectures")
    def _arch_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.architecture:
            self.choose_architecture(event.option.id)

    @on(OptionList.OptionSelected, "#architectures")
    def _arch_selected(self) -> None:
        self.query_one("#presets", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#presets")
    def _preset_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.base.get("name"):
            self.load_preset(event.option.id)

    @on(OptionList.OptionSelected, "#presets")
    @on(Input.Submitted)
    @on(Button.Pressed, "#train-button")
    def _start(self) -> None:
        self.action_train()

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        if not self._filling:
            self.validate()


def _arch_prompt(arch: Any) -> Text:
    return Text.assemble((arch.title, "bold"), "\n", (arch.one_line, "dim"))


def _preset_prompt(preset: Any) -> Text:
    return Text.assemble((preset.title, "bold"), ("  " + preset.dataset, "dim"))
