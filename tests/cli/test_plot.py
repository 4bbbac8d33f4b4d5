"""``nntui plot`` and the end of ``nntui train``: what they read and what they say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nntui.architectures.spec import Expectation
from nntui.cli import main
from nntui.commands.plot import charts, read_curves
from nntui.commands.report import final_figures, target_verdict
from nntui.errors import ConfigError


def _run(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True)
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


EPOCHS = [{"kind": "step", "step": 1, "epoch": 1, "batch": 1, "loss": 9.0},
          {"kind": "epoch", "step": 4, "epoch": 1, "loss": 0.8, "val_loss": 0.9, "accuracy": 0.5},
          {"kind": "epoch", "step": 8, "epoch": 2, "loss": 0.4, "val_loss": 0.6, "accuracy": 0.75},
          {"kind": "finished", "step": 8, "epoch": 2, "loss": 0.4}]


def test_curves_are_the_epoch_rows_of_the_log(tmp_path: Path) -> None:
    curves = read_curves(_run(tmp_path / "r", EPOCHS), steps=False)
    assert curves.x == {"loss": [1, 2], "val_loss": [1, 2], "accuracy": [1, 2]}
    assert curves.y == {"loss": [0.8, 0.4], "val_loss": [0.9, 0.6], "accuracy": [0.5, 0.75]}
    steps = read_curves(tmp_path / "r", steps=True)
    assert steps.x == {"loss": [1]} and steps.y == {"loss": [9.0]}


def test_a_run_in_its_first_epoch_plots_its_steps(tmp_path: Path) -> None:
    curves = read_curves(_run(tmp_path / "r", EPOCHS[:1]), steps=False)
    assert curves.y == {"loss": [9.0]}


def test_one_chart_per_metric_with_training_and_validation_of_every_run(tmp_path: Path) -> None:
    a = read_curves(_run(tmp_path / "a", EPOCHS), steps=False)
    b = read_curves(_run(tmp_path / "b", EPOCHS[:3]), steps=False)
    out = charts([a, b], None, 60, 12, False, "epoch")
    titles = [c.plain.split("\n")[0].strip() for c in out]
    assert titles == ["accuracy", "loss"]
    loss = out[1].plain
    assert all(f"{r} {k}" in loss for r in ("a", "b") for k in ("loss", "val_loss"))


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", str(tmp_path / "missing")]) == 2
    assert main(["plot", str(_run(tmp_path / "r", EPOCHS)), "--metric", "acc"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"nntui: error: no run folder at {str(tmp_path / 'missing')!r}; pass "
                   "folders under runs/",
                   "nntui: error: no metric 'acc' in these runs; they have: accuracy, loss"]


def test_cli_plots_named_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", str(_run(tmp_path / "r", EPOCHS)), "--metric", "loss",
                 "--width", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip() == "loss" and max(len(line) for line in lines) <= 50
    with pytest.raises(ConfigError):
        charts([read_curves(tmp_path / "r", False)], ["nope"], 50, 10, False, "epoch")


def test_the_target_verdict_says_reached_or_not() -> None:
    exp = Expectation("val_accuracy", min=0.9, text="≥ 90 %")
    assert target_verdict(exp, {"val_accuracy": [0.5, 0.93]}) == \
        "target: val_accuracy ≥ 0.9 (≥ 90 %): reached (0.9300)"
    assert target_verdict(exp, {"val_accuracy": [0.95, 0.85]}).endswith("NOT reached (0.8500)")
    assert "not measured" in target_verdict(exp, {"loss": [1.0]})
    assert target_verdict(Expectation(), {"loss": [1.0]}) is None
    upper = Expectation("val_accuracy", max=0.75)
    assert target_verdict(upper, {"val_accuracy": [0.7]}).endswith("reached (0.7000)")


def test_every_final_figure_of_a_gan_is_defined() -> None:
    from nntui.architectures import build_session
    from nntui.presets import load_preset

    session = build_session(load_preset("gan-gaussians", ["train.epochs=1"]))
    hist = {k: [0.5] for k in ("loss", "d_loss", "g_loss", "d_real", "d_fake")}
    lines = final_figures(hist, session.model.metric_definitions(), None)
    defined = {line.split(":")[0].strip() for line in lines[2:]}
    assert defined == set(hist)
    assert "  loss: d_loss + g_loss" in lines
