"""Clean failures: a full disk, a run folder that cannot be made, TOML the parser chokes
on, a second Ctrl+C (issue 15, items 7, 8, 9, 15). One line, no traceback, logs closed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nntui.commands import train as train_module
from nntui.engine.model import Sequential
from nntui.errors import ConfigError
from nntui.runlog import load_checkpoint
from nntui.runlog.metrics import JsonlLog
from nntui.runlog.replay import read_jsonl_rows
from nntui.runlog.tensorboard import TensorBoardLog
from tests.robustness.helpers import assert_logs_parse, assert_one_line_error, only_run, run_cli
from tests.robustness.kill_resume import LAUNCH, ROOT

XOR = ["train", "mlp-xor", "--quiet", "--epochs", "4"]
FULL = OSError(errno.ENOSPC, "No space left on device")


def _fail_at(monkeypatch, cls: type, name: str, call: int | None) -> None:
    """``cls.name`` raises ENOSPC from its ``call``-th call on (None: always)."""
    real, calls = getattr(cls, name), {"n": 0}

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if call is None or calls["n"] >= call:
            raise FULL
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, failing)


# 7. a full disk ---
def test_a_full_disk_reports_the_first_error_keeps_the_logs_and_says_how_to_resume(
        tmp_path, capsys, monkeypatch) -> None:
    with monkeypatch.context() as m:
        _fail_at(m, JsonlLog, "write", 46)  # in epoch 3: the checkpoint of epoch 2 exists
        _fail_at(m, TensorBoardLog, "close", None)  # the close in `finally` fails as well
        code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path)], capsys)
    run = only_run(tmp_path)
    assert_one_line_error(code, err, rf"cannot write run log in {run}: No space left on device; "
                                     rf"the logs are kept in {run}; resume with: nntui train "
                                     rf"--resume {run} \(from the checkpoint at step 40\)")
    assert [r["step"] for r in read_jsonl_rows(run / "metrics.jsonl")][-1] == 43
    code, _, err = run_cli(["train", "--quiet", "--resume", str(run)], capsys)  # as the hint says
    assert code == 0, err
    steps = [r["step"] for r in assert_logs_parse(run) if r["kind"] == "step"]
    assert steps == list(range(1, 81))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_is_a_real_write_error_reported_in_one_line(tmp_path) -> None:
    """``ulimit -f``: the kernel refuses writes past 64 kB (EFBIG), as a full disk would."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    env = dict(os.environ, PYTHONPATH=str(ROOT), NNTUI_BLAS_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", LAUNCH, *XOR[:3], "--epochs", "400",
                           "--log-dir", str(tmp_path)], env=env, cwd=tmp_path,
                          preexec_fn=limit, capture_output=True, text=True, timeout=300)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    run = only_run(tmp_path)
    assert "File too large" in lines[0] and f"--resume {run}" in lines[0]
    ckpt = load_checkpoint(run)
    steps = [r["step"] for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"]
    assert steps == list(range(1, len(steps) + 1)) and ckpt.step <= steps[-1]


# 8. the run folder cannot be made ---
def test_log_dir_that_is_a_file(tmp_path, capsys) -> None:
    (tmp_path / "f").write_text("x")
    code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path / "f")], capsys)
    assert_one_line_error(code, err, r"cannot create run folders in '.*f': it is a file")


def test_log_dir_path_too_long(tmp_path, capsys) -> None:
    code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path / ("d" * 300))], capsys)
    assert_one_line_error(code, err, r"cannot create a run folder in .*: File name too long")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_log_dir_where_nothing_can_be_made(capsys) -> None:
    code, _, err = run_cli([*XOR, "--log-dir", "/proc/self/nntui-runs"], capsys)
    assert_one_line_error(code, err, r"cannot create a run folder in '/proc/self/nntui-runs'")


def test_a_250_character_preset_name_still_makes_a_folder(tmp_path, capsys) -> None:
    cfg = tmp_path / "long.toml"
    cfg.write_text(f'name = "{"n" * 250}"\narchitecture = "mlp"\ndataset = "xor"\n'
                   "[train]\nepochs = 1\n")
    code, _, err = run_cli(["train", str(cfg), "--quiet", "--log-dir", str(tmp_path / "r")],
                           capsys)
    assert code == 0, err
    assert len(only_run(tmp_path / "r").name) < 100


# 9. TOML that breaks the parser ---
NESTED = "architecture = " + "[" * 3000
HUGE = "architecture = 'mlp'\ndataset = 'xor'\n[train]\nepochs = " + "9" * 5000


@pytest.mark.parametrize("text,match", [(NESTED, "nested too deeply"),
                                        (HUGE, "a value cannot be read")],
                         ids=["3000-brackets", "5000-digits"])
def test_toml_that_breaks_the_parser_is_one_line(tmp_path, capsys, text, match) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    code, _, err = run_cli(["train", str(cfg), "--quiet"], capsys)
    assert_one_line_error(code, err, rf"config .*bad.toml cannot be read: .*{match}")
    code, _, err = run_cli([*XOR, "--set", "train.epochs=" + text.split("= ", 1)[-1]
                            .split("= ")[-1]], capsys)
    assert_one_line_error(code, err, rf"--set train.epochs: the value cannot be read: .*{match}")
    from nntui.app.catalog import PresetCatalog

    with pytest.raises(ConfigError, match=match):  # the app's --preset: a notification
        PresetCatalog().load_preset(str(cfg))


# 15. a second Ctrl+C ---
def _sigint() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    signal.getsignal(signal.SIGINT)  # a bytecode boundary: the handler has run


def _signals_at(monkeypatch, step: int, count: int) -> None:
    real, calls = Sequential.train_step, {"n": 0}

    def train_step(self, xb, yb):
        calls["n"] += 1
        if calls["n"] == step:
            for _ in range(count):
                _sigint()
        return real(self, xb, yb)

    monkeypatch.setattr(Sequential, "train_step", train_step)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_second_ctrl_c_stops_at_once_closes_the_logs_and_says_where(
        tmp_path, capsys, monkeypatch) -> None:
    with monkeypatch.context() as m:
        _signals_at(m, 25, 2)
        code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path)], capsys)
    run = only_run(tmp_path)
    assert code == 130 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"nntui: interrupted at step 24; the logs are kept in {run}; resume with: nntui "
        f"train --resume {run} (from the checkpoint at step 20)")
    rows = assert_logs_parse(run)
    assert rows[-1]["kind"] == "failed" and "second signal" in rows[-1]["message"]
    code, _, err = run_cli([*XOR, "--resume", str(run)], capsys)
    assert code == 0, err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_after_training_never_kills_the_command(tmp_path, capsys, monkeypatch) -> None:
    real = train_module._report

    def report(*args, **kwargs):
        _sigint()  # the run is over: only noted
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "_report", report)
    code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path / "a")], capsys)
    assert code == 0 and err.strip().endswith(f"logs: {only_run(tmp_path / 'a')}"), err

    def twice(*args, **kwargs):
        _sigint()
        _sigint()
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "_report", twice)
    code, _, err = run_cli([*XOR, "--log-dir", str(tmp_path / "b")], capsys)
    run = only_run(tmp_path / "b")
    assert code == 130 and "Traceback" not in err and err.strip().endswith(f"logs: {run}"), err
    assert assert_logs_parse(run)[-1]["kind"] == "finished"


def test_train_without_a_preset_or_a_run_to_go_on_says_what_it_needs(capsys) -> None:
    code, _, err = run_cli(["train", "--quiet"], capsys)
    assert_one_line_error(code, err, r"nntui train needs a preset name or TOML config "
                                     r"\(see `nntui list`\), or --resume RUN_DIR / --fork RUN_DIR")
