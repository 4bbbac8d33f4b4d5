"""Backend choice: auto, numpy, mlx; a clear message where MLX is missing."""

from __future__ import annotations

import builtins
import platform

import pytest

import nntui
from nntui import layers
from nntui.engine import backend as backend_mod
from nntui.errors import BackendUnavailable, ConfigError


def test_auto_picks_numpy_off_apple_silicon(monkeypatch) -> None:
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    assert backend_mod.resolve_backend_name("auto") == "numpy"
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    monkeypatch.setattr(backend_mod, "mlx_available", lambda: True)
    assert backend_mod.resolve_backend_name("auto") == "mlx"
    monkeypatch.setattr(backend_mod, "mlx_available", lambda: False)
    assert backend_mod.resolve_backend_name("auto") == "numpy"


def test_model_reports_its_backend() -> None:
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(1)], backend="numpy")
    assert model.backend == "numpy"


def test_unknown_backend_name_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"backend must be one of auto, numpy, mlx.*'cuda'"):
        nntui.Sequential([], backend="cuda")


def test_missing_mlx_gives_the_install_command(monkeypatch) -> None:
    real_import = builtins.__import__

    def no_mlx(name, *args, **kwargs):
        if name.startswith("mlx"):
            raise ImportError("No module named 'mlx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mlx)
    backend_mod.get_backend.cache_clear()
    try:
        with pytest.raises(BackendUnavailable, match=r"pip install 'nntui\[mlx\]'"):
            backend_mod.get_backend("mlx")
    finally:
        backend_mod.get_backend.cache_clear()


def test_cli_backend_flag_reaches_the_model(capsys, tmp_path) -> None:
    pytest.importorskip("mlx.core")
    from nntui.cli import main

    code = main(["train", "mlp-xor", "--epochs", "1", "--backend", "mlx", "--quiet",
                 "--log-dir", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 0, err
    (run,) = tmp_path.iterdir()
    assert "backend = \"mlx\"" in (run / "config.toml").read_text()
