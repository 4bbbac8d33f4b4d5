"""The launcher: pick an architecture and a preset, adjust the hyper-parameters, train.

The form holds exactly the fields the chosen architecture has (from the registry:
its ``[model]`` fields, the ``[train]`` keys it reads; see :mod:`nntui.app.form`).
Every change is validated at once (the form's parser, then ``spec_from_dict``); an
invalid field shows its reason under it and nothing starts until all are valid. A
click on a preset chooses it; Enter or a double click trains it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from nntui.app import form
from nntui.app.catalog import Catalog
from nntui.app.layer_editing import has_layer_editor, open_layer_editor
from nntui.app.widgets.form_field import FormField, LayerChoices
from nntui.errors import NntuiError

DEFAULT_ARCHITECTURE = "mlp"


class PresetList(OptionList):
    """Presets: a click chooses one (the form shows it); Enter or a double click trains."""

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's: it selects on the first click
        clicked: int | None = event.style.meta.get("option")
        if clicked is None or self.get_option_at_index(clicked).disabled:
            return
        self.highlighted = clicked
        if event.chain >= 2:
            self.action_select()


class LauncherScreen(Screen[None]):
    """Architecture list, presets, hyper-parameter form; starts a training run.

    Args:
        catalog: architectures, presets and validation.
        start: a preset name or config path to open on (``nntui --preset X``).
    """

    BINDINGS = [
        Binding("ctrl+t", "train", "Train", tooltip="Validate the form and start training "
                "(Enter on a preset, or a double click, trains it too)", id="train"),
        Binding("ctrl+l", "layers", "Layers", tooltip="Edit the model layer by layer: add, "
                "remove, reorder and set each layer, with its output shape and parameters",
                id="layers"),
        Binding("ctrl+r", "race", "Race", tooltip="Train these settings and a variant "
                "(e.g. model.activation=sigmoid) at once, side by side", id="race"),
        Binding("question_mark", "app.help", "Help", key_display="?",
                tooltip="Every key of this screen"),
        Binding("q", "app.quit", "Quit", tooltip="Quit nntui"),
    ]
    COMMANDS_TABLE = {"train": ("Train: start a run with these settings", "ctrl+t"),
                      "race": ("Race: these settings against a variant, side by side",
                               "ctrl+r"),
                      "layers": ("Layers: edit the model layer by layer", "ctrl+l")}

    def __init__(self, catalog: Catalog, start: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.start = start
        self.architecture = ""
        self.base: dict[str, Any] = {}
        self.fields: list[form.FormSpec] = []
        self._filling = False
        self._choices: dict[str, list[str]] = {}  # a select's options, by field key

    # layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="launcher-body"):
            with Vertical(id="launcher-choose"):
                yield Label("Architecture", classes="launcher--heading")
                yield OptionList(id="architectures")
                yield Label("Presets  (Enter trains)",
                            classes="launcher--heading")
                yield PresetList(id="presets")
            with VerticalScroll(id="launcher-form"):
                yield Static(id="preset-description")
                yield Vertical(id="form-fields")
                with Horizontal(id="launcher-buttons"):
                    yield Button("Train", variant="primary", id="train-button")
                    yield Button("Layers…", id="layers-button",
                                 tooltip="Edit the model layer by layer (ctrl+l)")
        yield Footer()

    async def on_mount(self) -> None:
        archs = self.catalog.architectures()
        arch_list = self.query_one("#architectures", OptionList)
        arch_list.add_options([Option(_arch_prompt(a), id=n) for n, a in archs.items()])
        names = list(archs)
        start_spec = self._start_spec()
        arch = getattr(start_spec, "architecture", None)
        if arch not in archs:
            arch = DEFAULT_ARCHITECTURE if DEFAULT_ARCHITECTURE in archs else \
                (names[0] if names else None)
        if arch is not None:
            arch_list.highlighted = names.index(arch)
            await self.choose_architecture(arch, self.start if start_spec else None)
        self.query_one("#presets", OptionList).focus()

    def _start_spec(self) -> Any:
        if self.start is None:
            return None
        try:
            return self.catalog.load_preset(self.start)
        except NntuiError as exc:
            self.notify(str(exc), title="--preset", severity="error", timeout=15,
                        markup=False)
            return None

    # lookups ---------------------------------------------------------------------------
    def field(self, key: str) -> FormField:
        return self.query_one(f"#{key.replace('.', '-').replace('_', '-')}-field", FormField)

    def shown_fields(self) -> list[FormField]:
        return [f for f in self.query(FormField) if f.display]

    @property
    def invalid_fields(self) -> dict[str, str]:
        """``{field key: reason}`` of the fields marked invalid."""
        return {f.field_name: f.error for f in self.query(FormField) if f.error}

    def values(self) -> dict[str, str]:
        return {f.field_name: f.value for f in self.shown_fields()}

    # choosing --------------------------------------------------------------------------
    async def choose_architecture(self, name: str, preset: str | None = None) -> None:
        """Show ``name``'s presets and form, filled from ``preset`` (a name or config
        path; None: the architecture's default preset)."""
        self.architecture = name
        arch = self.catalog.architectures()[name]
        presets = [p for p in self.catalog.presets() if p.architecture == name]
        options = [Option(_preset_prompt(p), id=p.name) for p in presets]
        ids = [p.name for p in presets]
        if preset is not None and preset not in ids:  # a config file: listed as its own
            options.append(Option(Text.assemble((preset, "bold"), ("  file", "dim")),
                                  id=preset))
            ids.append(preset)
        plist = self.query_one("#presets", OptionList)
        plist.clear_options()
        plist.add_options(options)
        chosen = preset or arch.default_preset
        if ids:
            plist.highlighted = ids.index(chosen) if chosen in ids else 0
        self.fields = form.launcher_fields(arch, downloads=True)
        self.query_one("#layers-button", Button).display = has_layer_editor(arch)
        box = self.query_one("#form-fields", Vertical)
        self._filling = True
        await box.remove_children()
        await box.mount_all(FormField(spec) for spec in self.fields)
        self._choices = {}
        self._set_choices(form.DATASET, self.catalog.compatible_datasets(name))
        self.load_preset(ids[plist.highlighted or 0] if ids else None)

    def _set_choices(self, key: str, choices: list[str]) -> None:
        self._choices[key] = list(choices)
        control = self.field(key).control
        if isinstance(control, Select):
            control.set_options([(c, c) for c in choices])

    def load_preset(self, preset: str | None) -> None:
        """Fill the form from ``preset`` (None: a bare config for the architecture)."""
        try:
            if preset is not None:
                self.base = self.catalog.load_preset(preset).to_dict()
            else:
                names = self.catalog.compatible_datasets(self.architecture)
                self.base = {"name": self.architecture, "architecture": self.architecture,
                             "dataset": {"name": names[0] if names else ""}}
        except NntuiError as exc:
            self.notify(str(exc), title="preset", severity="error", markup=False)
            return
        self._show_base(preset)

    def use_config(self, config: dict[str, Any]) -> None:
        """Show and train ``config`` (the layer editor's model as ``model.layers``)."""
        self.base = config
        self._show_base(None)

    def _show_base(self, preset: str | None) -> None:
        description = self.base.get("description") or ""
        expect = (self.base.get("expect") or {}).get("text", "")
        layers = (self.base.get("model") or {}).get("layers")
        if isinstance(layers, list):
            expect += f"\nmodel: {len(layers)} layers as tables (ctrl+l edits them)"
        self.query_one("#preset-description", Static).update(
            Text.assemble((str(self.base.get("title", preset or "")), "bold"), "\n",
                          description, ("\n" + expect.strip() if expect else "", "dim italic")))
        arch = self.catalog.architectures()[self.architecture]
        self._fill(form.form_values(self.base, arch))

    def _fill(self, values: dict[str, str]) -> None:
        self._filling = True
        try:
            for f in self.query(FormField):
                value = values.get(f.field_name, "")
                control = f.control
                if isinstance(control, Select):
                    options = self._choices.get(f.field_name, list(f.spec.choices))
                    if value and value not in options:  # a preset's own choice
                        self._set_choices(f.field_name, [*options, value])
                    if value:
                        control.value = value
                    elif f.field_name == form.DATASET:
                        control.value = Select.NULL
                else:
                    control.value = value
                f.set_error(None)
            self._sync_fields()
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False
        self.validate()

    def _sync_fields(self) -> None:
        """What depends on other fields: the data folder shows for a dataset that
        downloads; momentum is for SGD; per-layer choices follow their layer count;
        model fields step aside when the config gives the whole model as layer tables."""
        values = {f.field_name: f.value for f in self.query(FormField)}
        for f in self.query(FormField):
            key = f.field_name
            if key == form.DATA_DIR:
                f.display = self.catalog.needs_download(values.get(form.DATASET, ""))
            elif key == "train.momentum":
                f.set_enabled(values.get("train.optimizer") == "sgd",
                              "momentum is a setting of the sgd optimizer")
            elif key.startswith("model.") and "layers" in self.base.get("model", {}):
                f.set_enabled(False, "this config gives the whole model as layer tables "
                                     "(ctrl+l edits them)")
            elif key in form.PER_LAYER_TRAIN and "layers" in self.base.get("model", {}):
                f.set_enabled(False, "with layer tables this is set per layer: an L2 "
                                     "setting or a Dropout layer in the layer editor (ctrl+l)")
            if isinstance(f.control, LayerChoices) and f.spec.follows:
                try:
                    n = len(form.parse_units(f.spec.follows, values.get(f.spec.follows, "")))
                except form.FieldError:
                    continue
                f.control.set_count(n)

    # validating and starting -----------------------------------------------------------
    def validate(self) -> Any | None:
        """Mark invalid fields; return the RunSpec when everything is valid."""
        for f in self.query(FormField):
            f.set_error(None)
        values = self.values()
        shown = [f.spec for f in self.shown_fields()]
        try:
            form.pace_of(values)
            d = form.apply_form(self.base, values, shown)
            return self.catalog.spec_from_dict(d)
        except form.FieldError as exc:
            self.field(exc.field).set_error(str(exc))
        except NntuiError as exc:
            key = form.field_for_error(str(exc), [s.key for s in shown])
            if key is not None:
                self.field(key).set_error(str(exc))
            else:
                self.notify(str(exc), title="config", severity="error", markup=False)
        return None

    def action_train(self) -> None:
        spec = self.validate()
        if spec is None:
            self.notify("fix the marked fields first", severity="warning")
            return
        pace = form.pace_of(self.values())
        self.app.start_training(spec, pace=pace)  # type: ignore[attr-defined]

    def action_race(self) -> None:
        """Ask what the second run changes, then train both side by side."""
        from nntui.app.screens.race_screen import ask_race

        spec = self.validate()
        if spec is None:
            self.notify("fix the marked fields first", severity="warning")
            return
        ask_race(self, spec)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "layers":
            archs = self.catalog.architectures()
            return self.architecture in archs and has_layer_editor(archs[self.architecture])
        return True

    @on(Button.Pressed, "#layers-button")
    def action_layers(self) -> None:
        """Open the layer editor on the model the form describes now."""
        open_layer_editor(self)

    @on(OptionList.OptionHighlighted, "#architectures")
    async def _arch_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.architecture:
            await self.choose_architecture(event.option.id)

    @on(OptionList.OptionSelected, "#architectures")
    def _arch_selected(self) -> None:
        self.query_one("#presets", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#presets")
    def _preset_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.base.get("name") and not self._filling:
            self.load_preset(event.option.id)

    @on(OptionList.OptionSelected, "#presets")
    @on(Input.Submitted)
    @on(Button.Pressed, "#train-button")
    def _start(self) -> None:
        self.action_train()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(LayerChoices.Changed)
    def _changed(self) -> None:
        if not self._filling:
            self._sync_fields()
            self.validate()


def _arch_prompt(arch: Any) -> Text:
    return Text.assemble((arch.title, "bold"), "\n", (arch.one_line, "dim"))


def _preset_prompt(preset: Any) -> Text:
    return Text.assemble((preset.title, "bold"), ("  " + preset.dataset, "dim"))
