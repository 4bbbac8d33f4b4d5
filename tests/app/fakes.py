"""Deterministic stand-ins for the app's tests: a tiny catalog and a scripted event stream.

``FakeCatalog`` uses the real spec validation (``nntui.presets.spec_from_dict``) and
builds a real, tiny model on embedded XOR data, so control tests drive a real Trainer
in milliseconds. ``fake_events`` is a fixed event stream for snapshot tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nntui.architectures import ARCHITECTURES, Architecture
from nntui.data.synthetic import load_xor
from nntui.engine import events as ev
from nntui.engine.layers import get_layer_class
from nntui.engine.model import Input, Sequential
from nntui.engine.optimizers import get_optimizer
from nntui.engine.trainer import Trainer
from nntui.presets import PresetInfo, RunSpec, spec_from_dict

ARCHS = {
    "perceptron": ARCHITECTURES["perceptron"],
    "mlp": replace(ARCHITECTURES["mlp"], default_preset="mlp-xor"),
}
PRESETS = {
    "mlp-xor": {"name": "mlp-xor", "title": "MLP on XOR", "architecture": "mlp",
                "description": "two hidden layers solve XOR",
                "dataset": {"name": "xor"}, "model": {"hidden": [8, 8], "activation": "relu"},
                "train": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32,
                          "epochs": 50, "seed": 0, "snapshot_every": 10}},
    "perceptron-blobs": {"name": "perceptron-blobs", "title": "Perceptron on blobs",
                         "architecture": "perceptron", "dataset": {"name": "blobs"},
                         "model": {}, "train": {"epochs": 3}},
}


@dataclass
class FakeSession:
    spec: RunSpec
    model: Any
    x: np.ndarray
    y: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)  # the Session protocol's extras

    def trainer(self, snapshot_every: int = 20, on_divergence: str = "pause") -> Trainer:
        t = self.spec.train
        return Trainer(self.model, self.x, self.y, batch_size=t.batch_size, epochs=t.epochs,
                       validation_split=0.2, seed=t.seed, snapshot_every=snapshot_every,
                       on_divergence=on_divergence, run_name=self.spec.name,
                       config=self.spec.to_dict())


class FakeCatalog:
    """Two architectures, two presets, XOR data; counts the sessions it built."""

    def __init__(self, epochs: int | None = None) -> None:
        self.built: list[RunSpec] = []
        self.epochs = epochs  # override the presets' epochs (long runs for control tests)

    def architectures(self) -> dict[str, Architecture]:
        return ARCHS

    def presets(self) -> list[PresetInfo]:
        return [PresetInfo(n, d["title"], d["architecture"], d["dataset"]["name"],
                           d.get("description", ""), "", None)  # type: ignore[arg-type]
                for n, d in PRESETS.items()]

    def compatible_datasets(self, architecture: str) -> list[str]:
        return ["xor", "blobs"]

    def needs_download(self, dataset: str) -> bool:
        return False

    def load_preset(self, name: str) -> RunSpec:
        spec = spec_from_dict(PRESETS[name])
        return spec if self.epochs is None else spec.with_train(epochs=self.epochs)

    def spec_from_dict(self, d: dict[str, Any]) -> RunSpec:
        return spec_from_dict(d)

    def build_session(self, spec: RunSpec) -> FakeSession:
        self.built.append(spec)
        ds = load_xor(seed=spec.train.seed)
        dense = get_layer_class("Dense")
        hidden = spec.model.get("hidden", [8])
        act = spec.model.get("activation", "relu")
        model = Sequential([Input((2,))] + [dense(int(u), activation=act) for u in hidden]
                           + [dense(2, activation="softmax")], seed=spec.train.seed,
                           backend="numpy", name=spec.name)
        model.compile(optimizer=get_optimizer({"name": spec.train.optimizer,
                                               "learning_rate": spec.train.learning_rate}),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return FakeSession(spec, model, ds.x_train, ds.y_train)


def fake_events(steps: int = 120, steps_per_epoch: int = 20) -> list[Any]:
    """A fixed run of ``steps`` steps: decaying loss, rising accuracy, snapshots every 10."""
    rng = np.random.default_rng(0)
    out: list[Any] = [ev.TrainingStarted("mlp-xor", "numpy", 10, steps_per_epoch)]
    for s in range(1, steps + 1):
        epoch, batch = (s - 1) // steps_per_epoch + 1, (s - 1) % steps_per_epoch + 1
        loss = 1.0 * np.exp(-s / 40) + 0.05 * np.sin(s)
        out.append(ev.StepCompleted(s, epoch, batch, {"loss": float(loss),
                                                      "accuracy": float(1 - loss / 2)},
                                    0.01, 5000.0, s * 0.01))
        if s % 10 == 0:
            out.append(ev.SnapshotTaken(s, epoch, tuple(_layers(rng, s))))
        if batch == steps_per_epoch:
            out.append(ev.EpochCompleted(epoch, s, {"loss": float(loss), "val_loss":
                                                    float(loss * 1.1), "val_accuracy":
                                                    float(1 - loss / 1.8)}, s * 0.01))
    return out


def _layers(rng: np.random.Generator, step: int) -> list[ev.LayerSnapshot]:
    spread = 0.5 + step / 200
    out = []
    for i, (n_in, n_out, dead) in enumerate(((2, 8, 0.125), (8, 8, 0.25), (8, 2, None))):
        w = rng.normal(0, spread, n_in * n_out).astype(np.float32)
        g = rng.normal(0, 0.1 / step, n_in * n_out).astype(np.float32)
        act = np.abs(rng.normal(0, 1, 64)).astype(np.float32)
        out.append(ev.LayerSnapshot(f"dense_{i}", "Dense", {"kernel": w}, {"kernel": g}, act,
                                    float(np.linalg.norm(g)), dead))
    return out
