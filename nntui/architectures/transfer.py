"""Transfer learning: pretrain a CNN on one task, freeze its base, fine-tune a new head
on another.

Its panel shows which layers are frozen and which train, the accuracy before
fine-tuning and now, and the CNN's views.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import compile_supervised, head, supervised_session
from nntui.architectures.cnn import CONV_FIELDS, conv_body
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.learner import Learner
from nntui.engine.model import Input, Sequential
from nntui.errors import ConfigError
from nntui.panel_data.images import transfer_data


def pretrain_dataset(path: str, v: Any) -> None:
    if isinstance(v, str):
        v = {"name": v}
    if not isinstance(v, dict) or not isinstance(v.get("name"), str):
        raise ConfigError(f"{path} must be a table with a 'name', e.g. "
                          f"{{ name = 'shapes', labelling = 'shape' }}. Received: {v!r}")
    from nntui.data import DATASETS

    info = DATASETS.get(v["name"])
    if info is None or info.input_kind != "image":
        images = ", ".join(n for n, i in DATASETS.items() if i.input_kind == "image")
        raise ConfigError(f"{path}.name must be an image dataset ({images}); the base is a CNN. "
                          f"Received: {v['name']!r}")
    if "seed" in v:
        raise ConfigError(f"{path}.seed cannot be set; the pretraining seed is train.seed + 1")


FIELDS = (
    *CONV_FIELDS,
    f.ModelField("pretrain_dataset", pretrain_dataset, None, None, "table",
                 help="the task the base learns first (default: this dataset by shape)"),
    f.ModelField("pretrain_epochs", f.int_range(0, f.MAX_EPOCHS), 3, "pretrain epochs", "int",
                 help="epochs of pretraining before the base is frozen"),
)


def build(spec: RunSpec, ds: Dataset) -> Session:
    """Pretrain the base on ``pretrain_dataset``, freeze it, add a new head for ``ds``."""
    from nntui.data import load_dataset

    arch, m = ARCHITECTURE, spec.model
    src = dict(arch.value(m, "pretrain_dataset") or {"name": ds.name, "labelling": "shape"})
    src_ds = load_dataset(src.pop("name"), seed=spec.train.seed + 1, **src)
    base_spec = replace(spec.with_train(epochs=int(arch.value(m, "pretrain_epochs"))),
                        architecture="cnn")
    base = supervised_session(arch, base_spec, src_ds, conv_body(arch, base_spec))
    base.trainer(snapshot_every=0, on_divergence="raise").run()
    assert isinstance(base.model, Sequential)
    frozen = base.model.layers[:-1]
    for layer in frozen:
        layer.trainable = False
    model = Sequential([Input(ds.input_shape), *frozen, *head(ds)], name=spec.name,
                       backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    before = model.evaluate_arrays(ds.x_test, ds.y_test).get("accuracy", float("nan"))
    s = Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    s.info.update(pretrain_accuracy=base.model.evaluate_arrays(
        src_ds.x_test, src_ds.y_test).get("accuracy"), accuracy_before=before,
        frozen=[ly.name for ly in frozen])
    return s


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return transfer_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="transfer", title="Transfer learning",
    one_line="pretrain, freeze the base, fine-tune a new head on another task",
    input_kinds=("image",), default_preset="transfer-shapes", fields=FIELDS,
    build=build, panel_data=panel_data, panel="transfer", order=80, units_field="dense")
ARCHITECTURES = (ARCHITECTURE,)
