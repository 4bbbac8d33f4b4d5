"""Transfer learning: pretrain a CNN on one task, freeze its base, fine-tune a new head
on another (and later, with ``unfreeze_epoch``, the base too at a smaller rate).

The base comes from a real base preset (``base = "cnn-mnist-04"``, trained once and cached
with its checksum: :mod:`nntui.architectures.bases`) or is pretrained on the spot
(``pretrain_dataset``). With ``baseline = "from_scratch"`` the same network from random
weights trains beside it on the same labelled samples, and both held-out accuracies are
logged each epoch (``val_accuracy``, ``scratch_val_accuracy``).

Its panel shows which layers are frozen and which train, the accuracy before
fine-tuning and now, transferred against from scratch, and the CNN's views.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.bases import load_base, presets
from nntui.architectures.building import (
    compile_supervised,
    head,
    hidden_dense,
    supervised_session,
)
from nntui.architectures.cnn import ARCHITECTURE as CNN
from nntui.architectures.cnn import CONV_FIELDS, conv_body
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.callbacks.transfer import FromScratch, Unfreeze
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


def base_preset(path: str, v: Any) -> None:
    kinds = presets().architectures()
    if not isinstance(v, str) or kinds.get(v) != "cnn":
        cnns = [n for n, kind in kinds.items() if kind == "cnn"]
        raise ConfigError(f"{path} must name a cnn preset ({', '.join(cnns)}), trained once "
                          f"and cached as the base. Received: {v!r}")


FIELDS = (
    *CONV_FIELDS,
    f.ModelField("base", base_preset, None, None, "table",
                 help="a cnn preset whose trained layers (all but its head) are the base"),
    f.ModelField("unfreeze_epoch", f.int_range(0, f.MAX_EPOCHS), 0, "unfreeze at epoch", "int",
                 help="from this epoch on the base fine-tunes too (0: it stays frozen)"),
    f.ModelField("unfreeze_rate", f.fraction("the learning rate's factor once unfrozen"),
                 0.1, "rate after unfreezing", "float",
                 help="the learning rate is multiplied by this when the base unfreezes"),
    f.ModelField("baseline", f.choice(("none", "from_scratch")), "none", "compare with",
                 "choice", ("none", "from_scratch"),
                 help="from_scratch: the same network from random weights trains beside it"),
    f.ModelField("pretrain_dataset", pretrain_dataset, None, None, "table",
                 help="the task the base learns first (default: this dataset by shape)"),
    f.ModelField("pretrain_epochs", f.int_range(0, f.MAX_EPOCHS), 3, "pretrain epochs", "int",
                 help="epochs of pretraining before the base is frozen"),
)


def _pretrained(spec: RunSpec, ds: Dataset) -> tuple[Sequential, float | None, RunSpec]:
    """The base network (head included), its accuracy on its own task, and the spec that
    built it: from the cached base preset, or pretrained now on ``pretrain_dataset``."""
    from nntui.data import load_dataset

    arch, m = ARCHITECTURE, spec.model
    if m.get("base") is not None:
        files = ds.meta.get("files", {})
        folder = str(Path(next(iter(files.values()))).parent) if files else None
        base, record = load_base(str(m["base"]), data_dir=folder)
        return base.model, record.get("val_accuracy"), base.spec  # type: ignore[return-value]
    src = dict(arch.value(m, "pretrain_dataset") or {"name": ds.name, "labelling": "shape"})
    src_ds = load_dataset(src.pop("name"), seed=spec.train.seed + 1, **src)
    base_spec = replace(spec.with_train(epochs=int(arch.value(m, "pretrain_epochs"))),
                        architecture="cnn")
    base = supervised_session(arch, base_spec, src_ds, conv_body(arch, base_spec))
    base.trainer(snapshot_every=0, on_divergence="raise").run()
    assert isinstance(base.model, Sequential)
    accuracy = base.model.evaluate_arrays(src_ds.x_test, src_ds.y_test).get("accuracy")
    return base.model, accuracy, base_spec


def build(spec: RunSpec, ds: Dataset) -> Session:
    """Take the base (all but its head), freeze it, add a new head for ``ds``."""
    arch, m = ARCHITECTURE, spec.model
    base, pretrain_accuracy, base_spec = _pretrained(spec, ds)
    kinds = [type(ly).__name__ for ly in base.layers]
    # a real base lends its convolutions (up to Flatten); its dense layers knew other classes
    cut = kinds.index("Flatten") + 1 if m.get("base") is not None else len(kinds) - 1
    frozen = base.layers[:cut]
    for layer in frozen:
        layer.trainable = False
    new = (hidden_dense(spec, list(arch.value(m, "dense")), str(arch.value(m, "activation")))
           if m.get("base") is not None else [])
    model = Sequential([Input(ds.input_shape), *frozen, *new, *head(ds)], name=spec.name,
                       backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    before = model.evaluate_arrays(ds.x_test, ds.y_test).get("accuracy", float("nan"))
    s = Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    s.info.update(pretrain_accuracy=pretrain_accuracy, accuracy_before=before,
                  frozen=[ly.name for ly in frozen])
    s.info["callbacks"] = lambda: _callbacks(spec, ds, frozen, base_spec)
    return s


def _callbacks(spec: RunSpec, ds: Dataset, frozen: list[Any], base_spec: RunSpec
               ) -> list[Any]:
    """Unfreezing the base at ``unfreeze_epoch``, and the from-scratch twin."""
    arch, m = ARCHITECTURE, spec.model
    out: list[Any] = []
    at = int(arch.value(m, "unfreeze_epoch"))
    if at:
        out.append(Unfreeze(at, frozen, float(arch.value(m, "unfreeze_rate"))))
    if arch.value(m, "baseline") == "from_scratch":
        def scratch() -> Sequential:
            # the transferred network's layout, from random weights
            layout = {**base_spec.model, "dense": list(arch.value(m, "dense"))}
            twin = replace(spec, model=layout, train=replace(spec.train, seed=spec.train.seed + 7))
            layers = conv_body(CNN, twin)
            return supervised_session(arch, twin, ds, layers).model  # type: ignore[return-value]

        out.append(FromScratch(scratch, ds.x_train, ds.y_train, ds.x_test, ds.y_test,
                               spec.train.batch_size, spec.train.seed))
    return out


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return transfer_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="transfer", title="Transfer learning",
    one_line="pretrain, freeze the base, fine-tune a new head on another task",
    input_kinds=("image",), default_preset="transfer-shapes", fields=FIELDS,
    build=build, panel_data=panel_data, panel="transfer", order=80, units_field="dense")
ARCHITECTURES = (ARCHITECTURE,)
