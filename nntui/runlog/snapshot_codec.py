"""A :class:`~nntui.engine.events.SnapshotTaken` as named arrays + JSON, and back, exactly.

What a snapshot holds (every layer's sampled weights, gradients and activation, its
gradient norm and dead share, and the architecture's panel data, ``extras``) is a tree
of dicts, lists, tuples, numbers, strings and NumPy arrays. Encoding walks the tree:
every array (and NumPy scalar) goes into the archive under a short key, the rest stays
JSON, with markers where JSON alone would lose the type::

    {"$a": "X3"}        the array stored as X3.npy (dtype and shape kept)
    {"$s": "X4"}        a NumPy scalar (np.float32(0.93)), stored as a 0-d array
    {"$t": [...]}       a tuple
    {"$f": "nan"}       a float JSON cannot hold (nan, inf, -inf)
    {"$d": [[k, v]]}    a dict whose keys are not all plain strings

Layer arrays are keyed ``L0, L1, ...`` and extras arrays ``X0, X1, ...``, so a reader
can load the layers of a snapshot without decompressing its pictures. Decoding gives
back values of the same types (a stored ``np.float32`` comes back as one), so a panel
draws a stored snapshot exactly as it drew the live one. No pickle anywhere: an object
array is stored as the list of its values.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nntui.engine import events as ev
from nntui.errors import CheckpointError

FORMAT = "nntui-snapshot/1"
LAYER_PREFIX, EXTRAS_PREFIX = "L", "X"
_LAYER_FIELDS = {f.name for f in dataclasses.fields(ev.LayerSnapshot)}
_EVENT_FIELDS = [f.name for f in dataclasses.fields(ev.SnapshotTaken)
                 if f.name not in ("step", "epoch", "layers", "extras")]

Json = Any


class _Encoder:
    """Collects the arrays of one tree under ``prefix`` keys."""

    def __init__(self, prefix: str, arrays: dict[str, np.ndarray]) -> None:
        self.prefix, self.arrays = prefix, arrays
        self.count = 0

    def _store(self, value: np.ndarray) -> str:
        key = f"{self.prefix}{self.count}"
        self.count += 1
        self.arrays[key] = value
        return key

    def __call__(self, value: Any) -> Json:  # noqa: PLR0911 - one branch per type
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                return self(value.tolist())
            return {"$a": self._store(value)}
        if isinstance(value, np.generic):
            return {"$s": self._store(np.asarray(value))}
        if value is None or isinstance(value, bool | str | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$f": repr(value)}
        if isinstance(value, tuple):
            return {"$t": [self(v) for v in value]}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, Mapping):
            if all(isinstance(k, str) and not k.startswith("$") for k in value):
                return {k: self(v) for k, v in value.items()}
            return {"$d": [[self(k), self(v)] for k, v in value.items()]}
        raise CheckpointError(f"a snapshot holds a {type(value).__name__}, which is not "
                              "stored (numbers, text, lists, dicts and arrays are)")


def encode(event: ev.SnapshotTaken) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """``(arrays, meta)``: what :func:`decode` turns back into ``event``.

    Raises:
        CheckpointError: the extras hold a value of a type that is not stored.
    """
    arrays: dict[str, np.ndarray] = {}
    layer_enc, extras_enc = _Encoder(LAYER_PREFIX, arrays), _Encoder(EXTRAS_PREFIX, arrays)
    layers = [{name: layer_enc(getattr(layer, name)) for name in sorted(_LAYER_FIELDS)}
              for layer in event.layers]
    meta = {"format": FORMAT, "step": int(event.step), "epoch": int(event.epoch),
            "fields": {name: layer_enc(getattr(event, name)) for name in _EVENT_FIELDS},
            "layers": layers, "extras": extras_enc(dict(event.extras))}
    return arrays, meta


def decode(meta: Mapping[str, Any], load: Callable[[str], np.ndarray], *,
           extras: bool = True) -> ev.SnapshotTaken:
    """The event ``meta`` describes; ``load(key)`` gives a stored array.

    Args:
        extras: False: leave the extras out (``{}``), loading only the layers' arrays.

    Raises:
        CheckpointError: ``meta`` is not a snapshot of this format, or names a missing array.
    """
    if not isinstance(meta, Mapping) or meta.get("format") != FORMAT:
        raise CheckpointError(f"not an nntui snapshot (format {_format(meta)!r}, expected "
                              f"{FORMAT!r})")
    try:
        dec = _Decoder(load)
        layers = tuple(ev.LayerSnapshot(**{k: dec(v) for k, v in layer.items()
                                           if k in _LAYER_FIELDS})
                       for layer in meta["layers"])
        known = {k: dec(v) for k, v in meta.get("fields", {}).items() if k in _EVENT_FIELDS}
        out = dec(meta["extras"]) if extras else {}
        return ev.SnapshotTaken(int(meta["step"]), int(meta["epoch"]), layers,
                                out if isinstance(out, dict) else {}, **known)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"damaged snapshot at step {meta.get('step')!r}: "
                              f"{type(exc).__name__}: {exc}") from None


class _Decoder:
    def __init__(self, load: Callable[[str], np.ndarray]) -> None:
        self.load = load

    def __call__(self, value: Json) -> Any:  # noqa: PLR0911 - one branch per marker
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (marker, inner), = value.items()
            if marker == "$a":
                return self.load(str(inner))
            if marker == "$s":
                return self.load(str(inner))[()]
            if marker == "$t":
                return tuple(self(v) for v in inner)
            if marker == "$f":
                return float(inner)
            if marker == "$d":
                return {_hashable(self(k)): self(v) for k, v in inner}
        return {k: self(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list | tuple) else key


def _format(meta: object) -> object:
    return meta.get("format") if isinstance(meta, Mapping) else type(meta).__name__
