"""A training step of every reference model keeps float32 everywhere: each layer's
output and input gradient, every parameter, gradient and optimizer slot (no silent
float64 upcast, which would halve BLAS throughput and double memory traffic)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nntui.commands.bench import synthetic
from nntui.commands.bench_frameworks import nntui_model

F32 = np.dtype(np.float32)


def _watch_dtypes(layers: list[Any], seen: list[str]) -> None:
    """Wrap each layer's forward/backward so every array they return is checked."""
    for layer in layers:
        for name in ("forward", "backward", "backward_from_z"):
            fn = getattr(layer, name, None)
            if fn is None:
                continue

            def checked(*args: Any, _fn: Any = fn, _where: str = f"{layer.name}.{name}",
                        **kwargs: Any) -> Any:
                out = _fn(*args, **kwargs)
                if out is not None:
                    assert out.dtype == F32, f"{_where} returned {out.dtype}"
                    seen.append(_where)
                return out

            setattr(layer, name, checked)


def _parts(model: Any) -> list[Any]:
    return [model.g, model.d] if hasattr(model, "g") else [model]


@pytest.mark.parametrize("name", ["mlp", "cnn", "lstm", "gan"])
def test_a_training_step_stays_float32(name: str) -> None:
    model = nntui_model(name, "numpy")
    x, y = synthetic(name, np.random.default_rng(0))
    x, y = model.prepare(x[:32], y[:32] if name != "gan" else None)
    seen: list[str] = []
    _watch_dtypes(model.layers, seen)
    for _ in range(2):  # the second step runs on optimizer state made by the first
        model.train_step(model.ops.asarray(x), model.ops.asarray(y))
    assert any(s.endswith("forward") for s in seen) and any("backward" in s for s in seen)
    for part in _parts(model):
        for layer in part.layers:
            for key, p in layer.params.items():
                assert p.dtype == F32, f"{layer.name}/{key} is {p.dtype}"
            for key, g in layer.grads.items():
                assert g is None or g.dtype == F32, f"grad {layer.name}/{key} is {g.dtype}"
        opt = part.optimizer
        assert opt.state, "the optimizer made no state"
        for key, slots in opt.state.items():
            for slot, a in slots.items():
                assert a.dtype == F32, f"optimizer {key}/{slot} is {a.dtype}"
