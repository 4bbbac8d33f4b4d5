"""The `nntui` command line: list, headless train, logs, resume, and one-line errors."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nntui.cli import main
from nntui.runlog import load_checkpoint
from nntui.runlog.replay import read_csv_rows, read_jsonl_rows


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_names_presets_architectures_and_datasets(capsys) -> None:
    code, out, _ = _run(["list", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert "mlp-spiral" in {p["name"] for p in data["presets"]}
    assert {a["name"] for a in data["architectures"]} >= {"perceptron", "cnn", "lstm", "gan"}
    assert "mnist" in {d["name"] for d in data["datasets"]}


def test_train_writes_logs_checkpoint_and_a_config_that_reproduces_the_run(
        tmp_path, capsys) -> None:
    argv = ["train", "mlp-xor", "--epochs", "3", "--quiet", "--log-dir", str(tmp_path / "a")]
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    (run,) = (tmp_path / "a").iterdir()
    rows = read_jsonl_rows(run / "metrics.jsonl")
    csv_rows = read_csv_rows(run / "metrics.csv")
    steps = [r for r in rows if r["kind"] == "step"]
    assert len([r for r in rows if r["kind"] == "epoch"]) == 3
    assert len(steps) == len([r for r in csv_rows if r["kind"] == "step"]) > 0
    ckpt = load_checkpoint(run)
    assert ckpt.epoch == 3 and ckpt.step == steps[-1]["step"]
    # the written config reproduces the run exactly
    code, _, err = _run(["train", str(run / "config.toml"), "--quiet", "--log-dir",
                         str(tmp_path / "b")], capsys)
    assert code == 0, err
    (run2,) = (tmp_path / "b").iterdir()
    again = [r for r in read_jsonl_rows(run2 / "metrics.jsonl") if r["kind"] == "epoch"]
    first = [r for r in rows if r["kind"] == "epoch"]
    assert [r["loss"] for r in again] == pytest.approx([r["loss"] for r in first], rel=1e-6)


@pytest.mark.parametrize("argv,match", [
    (["train", "mlp-spirall"], r"no preset or config file named 'mlp-spirall'.*mlp-spiral"),
    (["train", "mlp-xor", "--set", "train.learning_rate=0"], r"train.learning_rate must be > 0"),
    (["train", "mlp-xor", "--set", "epochs"], r"--set expects key=value"),
])
def test_bad_input_is_one_line_with_exit_status_2(argv, match, capsys) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    import re

    assert re.search(match, err), err


def test_malformed_toml_names_line_and_column(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('architecture = "mlp"\n[train]\nepochs = = 3\n')
    code, _, err = _run(["train", str(bad)], capsys)
    assert code == 2 and "malformed TOML" in err and "line 3" in err


def test_csv_with_missing_values_is_refused(tmp_path, capsys) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,label\n1,2,0\n3,,1\n5,6,0\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'architecture = "mlp"\n[dataset]\nname = "csv"\npath = "{csv}"\n')
    code, _, err = _run(["train", str(cfg), "--quiet"], capsys)
    assert code == 2 and "missing" in err.lower() and "Traceback" not in err


def _idx_images(path: Path, n: int, truncate: int = 0) -> None:
    data = (np.arange(n * 28 * 28) % 255).astype(np.uint8).tobytes()
    raw = b"\x00\x00\x08\x03" + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + data
    with gzip.open(path, "wb") as f:
        f.write(raw[: len(raw) - truncate])


def test_corrupt_dataset_files_are_refused_with_a_clear_error(tmp_path, capsys) -> None:
    folder = tmp_path / "mnist"
    folder.mkdir()
    _idx_images(folder / "t10k-images-idx3-ubyte.gz", 10, truncate=100)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(
        b"\x00\x00\x08\x01" + (10).to_bytes(4, "big") + bytes(range(10))))
    code, _, err = _run(["train", "mlp-mnist", "--quiet", "--data-dir", str(folder)], capsys)
    assert code == 2 and "Traceback" not in err
    assert "t10k-images" in err  # names the file (checksum mismatch or truncation)


def _spawn_train(args: list[str], cwd: Path) -> subprocess.Popen:
    # this checkout's nntui, not whichever one is installed
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(Path(__file__).parents[2]))
    return subprocess.Popen([sys.executable, "-m", "nntui", "train", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(run_base: Path, n: int, timeout: float = 60) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        runs = list(run_base.glob("*/metrics.jsonl"))
        if runs and len(runs[0].read_bytes().splitlines()) >= n:
            return runs[0].parent
        time.sleep(0.05)
    raise AssertionError("the run wrote no rows")


def test_killed_run_keeps_parseable_logs(tmp_path) -> None:
    proc = _spawn_train(["mlp-spiral", "--quiet", "--log-dir", str(tmp_path)], tmp_path)
    run = _wait_for_rows(tmp_path, 20)
    proc.kill()
    proc.wait(30)
    rows = read_jsonl_rows(run / "metrics.jsonl")
    csv_rows = read_csv_rows(run / "metrics.csv")
    assert len(rows) >= 20 and len(csv_rows) >= 19
    assert [r["step"] for r in rows if r["kind"] == "step"] == list(
        range(1, 1 + len([r for r in rows if r["kind"] == "step"])))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_checkpoints_and_resume_continues(tmp_path, capsys) -> None:
    proc = _spawn_train(["mlp-spiral", "--quiet", "--log-dir", str(tmp_path)], tmp_path)
    run = _wait_for_rows(tmp_path, 60)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "resume with" in err and str(run.name) in err
    ckpt = load_checkpoint(run)
    steps = [r for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"]
    assert ckpt.step == steps[-1]["step"]
    code, _, err = _run(["train", "mlp-spiral", "--resume", str(run), "--epochs",
                         str(ckpt.epoch + 1), "--quiet"], capsys)
    assert code == 0, err
    later = [r for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"]
    assert later[-1]["step"] > ckpt.step
    assert load_checkpoint(run).epoch == ckpt.epoch + 1
