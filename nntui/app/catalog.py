"""What the launcher and the dashboard need from the rest of nntui, in one place.

The app reaches presets and sessions only through a :class:`Catalog`, so tests can
hand it a small deterministic fake (see ``tests/app/fakes.py``) and the app stays
importable while those modules change. :class:`PresetCatalog` is the real one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from nntui.architectures.base import Architecture
    from nntui.architectures.spec import RunSpec
    from nntui.engine.learner import Learner
    from nntui.engine.trainer import Trainer
    from nntui.presets import PresetInfo


class Session(Protocol):
    """A built run: dataset + model, and a trainer factory (``nntui.architectures``)."""

    model: Learner
    spec: RunSpec
    info: dict[str, Any]
    """Architecture extras, e.g. ``checkpoint_extra``: a GPT's tokenizer for its checkpoints."""

    def trainer(self, snapshot_every: int = 20, on_divergence: str = "pause") -> Trainer: ...


class Catalog(Protocol):
    """Architectures, presets, validation and session building."""

    def architectures(self) -> Mapping[str, Architecture]: ...

    def presets(self) -> Sequence[PresetInfo]: ...

    def compatible_datasets(self, architecture: str) -> list[str]: ...

    def needs_download(self, dataset: str) -> bool: ...

    def load_preset(self, name: str) -> RunSpec: ...

    def spec_from_dict(self, d: dict[str, Any]) -> RunSpec: ...

    def build_session(self, spec: RunSpec) -> Session: ...


class PresetCatalog:
    """The real catalog: ``nntui.presets`` and ``nntui.architectures``, imported on first use."""

    def architectures(self) -> Mapping[str, Architecture]:
        from nntui.architectures import ARCHITECTURES

        return ARCHITECTURES

    def presets(self) -> Sequence[PresetInfo]:
        from nntui.presets import list_presets

        return list_presets()

    def compatible_datasets(self, architecture: str) -> list[str]:
        from nntui.architectures import compatible_datasets

        return compatible_datasets(architecture)

    def needs_download(self, dataset: str) -> bool:
        from nntui.data import DATASETS

        info = DATASETS.get(dataset)
        return info is not None and info.needs_download

    def load_preset(self, name: str) -> RunSpec:
        from nntui.presets import load_preset

        return load_preset(name)

    def spec_from_dict(self, d: dict[str, Any]) -> RunSpec:
        from nntui.presets import spec_from_dict

        return spec_from_dict(d)

    def build_session(self, spec: RunSpec) -> Session:
        from nntui.architectures import build_session

        return build_session(spec)
