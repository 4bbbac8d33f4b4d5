"""The launcher form against every real preset: which keys it writes, where errors go."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from nntui.app import form
from nntui.app.app import NntuiApp
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.architectures import ARCHITECTURES
from nntui.presets import list_presets, load_preset, spec_from_dict
from tests.app.conftest import SIZE, asynctest

PRESETS = [p.name for p in list_presets()]


@pytest.mark.parametrize("preset", PRESETS)
def test_changed_layers_and_activation_give_a_valid_spec(preset: str) -> None:
    d = load_preset(preset).to_dict()
    arch = d["architecture"]
    values = form.form_values(d)
    assert spec_from_dict(form.apply_form(d, values)).to_dict() == spec_from_dict(d).to_dict()
    changed = {**values, "activation": "tanh"}
    key = form.units_key(arch)
    if key is not None and "layers" not in d["model"]:
        changed["layers"] = "16,8"
    spec = spec_from_dict(form.apply_form(d, changed))  # no "not a setting" ConfigError
    if key is not None and "layers" not in d["model"]:
        assert spec.model[key] == [16, 8]
    assert ("activation" in spec.model) == (form.has_activation(arch)
                                            and "layers" not in d["model"])


def test_units_keys_per_architecture() -> None:
    expected = {"gan": "generator", "autoencoder": "encoder", "mlp": "hidden", "rnn": "hidden",
                "lstm": "hidden", "gru": "hidden", "cnn": "dense", "transformer": None,
                "perceptron": None}
    assert {a: form.units_key(a) for a in expected} == expected
    assert [a for a in ARCHITECTURES if not form.has_activation(a)] == \
        [a for a in ARCHITECTURES if a in ("perceptron", "logistic", "rnn", "lstm", "gru",
                                           "transformer")]


@pytest.mark.parametrize(("message", "field"), [
    ("train.learning_rate must be > 0. Received: -1", "learning_rate"),
    ("dataset.noise is not an option of dataset 'spiral'; its options: n_samples", "dataset"),
    ("dataset.name is required", "dataset"),
    ("model.activation must be one of relu, tanh. Received: 'x'", "activation"),
    ("model.generator must be a list of positive whole numbers", "layers"),
    ("something else entirely", None),
])
def test_errors_map_to_their_field(message: str, field: str | None) -> None:
    assert form.field_for_error(message) == field


@asynctest
async def test_launcher_disables_what_an_architecture_lacks(tmp_path) -> None:
    app = NntuiApp(runs_dir=tmp_path, tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        for arch in ARCHITECTURES:
            launcher.choose_architecture(arch)
            await pilot.pause(0.05)
            layers = launcher.query_one("#layers", Input)
            activation = launcher.query_one("#activation", Select)
            assert layers.disabled == (form.units_key(arch) is None), arch
            assert activation.disabled == (not form.has_activation(arch)), arch
            assert launcher.invalid_fields == {}, (arch, launcher.invalid_fields)
            if not layers.disabled and "layers" not in launcher.base.get("model", {}):
                layers.value = "16,8"
                await pilot.pause(0.05)
                assert launcher.invalid_fields == {}, (arch, launcher.invalid_fields)
                spec = launcher.validate()
                assert spec is not None and spec.model[form.units_key(arch)] == [16, 8]
