"""The run folder's guards: one writer (lock), rows cut back to the checkpoint (rewind),
and the checkpoint writer's announcements."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.errors import CheckpointError
from nntui.presets import load_preset
from nntui.runlog import RunLogger, load_checkpoint
from nntui.runlog import rewind as rewind_module
from nntui.runlog.lock import RunLock
from nntui.runlog.rewind import rewind_logs
from nntui.runlog.run_checkpoint import CheckpointWriter

REPO = Path(__file__).resolve().parents[2]


def test_a_locked_folder_refuses_a_second_logger_until_released(tmp_path: Path) -> None:
    first = RunLogger(tmp_path, tensorboard=False)
    with pytest.raises(CheckpointError, match=rf"another process \(pid {os.getpid()}\)"):
        RunLogger(tmp_path, tensorboard=False)
    first.close()
    RunLogger(tmp_path, tensorboard=False).close()


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX")
def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    code = ("import os, sys; from nntui.runlog.lock import RunLock; "
            "RunLock.acquire(sys.argv[1]); print('held', flush=True); os._exit(0)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "held"
    RunLock.acquire(tmp_path).release()  # no stale lock left by a process that died


def _rows(n: int) -> list[bytes]:
    rows = []
    for i in range(1, n + 1):
        rows.append(json.dumps({"kind": "step", "step": i}).encode() + b"\n")
        if i % 5 == 0:
            rows.append(json.dumps({"kind": "epoch", "step": i}).encode() + b"\n")
    return rows


@pytest.mark.parametrize("seed", range(40))
def test_rewind_keeps_exactly_the_rows_up_to_the_step(tmp_path, monkeypatch, seed) -> None:
    """Small read chunks, so lines straddle them; a cut last line and garbage after."""
    monkeypatch.setattr(rewind_module, "_CHUNK", 7)
    r = random.Random(seed)
    rows, step = _rows(r.randint(0, 25)), r.randint(0, 27)
    tail = r.choice([b"", b'{"kind": "st', b"not json\n"])
    (tmp_path / "metrics.jsonl").write_bytes(b"".join(rows) + tail)
    header = b"kind,step,epoch\n"
    (tmp_path / "metrics.csv").write_bytes(header + b"".join(
        b"step,%d,1\n" % json.loads(row)["step"] for row in rows) + tail)
    kept = [row for row in rows if json.loads(row)["step"] <= step]
    assert rewind_logs(tmp_path, step) == len(rows) - len(kept) + (tail == b"not json\n")
    assert (tmp_path / "metrics.jsonl").read_bytes() == b"".join(kept)
    csv = (tmp_path / "metrics.csv").read_bytes().splitlines()
    assert csv[0] == header.strip() and [int(c.split(b",")[1]) for c in csv[1:]] == [
        json.loads(row)["step"] for row in kept]


def test_every_checkpoint_is_announced_with_its_step_and_path(tmp_path: Path) -> None:
    session = build_session(load_preset("mlp-xor", ["train.epochs=2"]))
    trainer = session.trainer()
    with RunLogger(tmp_path, tensorboard=False) as logger:
        saved: list[ev.CheckpointSaved] = []
        trainer.subscribe(logger.handle)
        trainer.subscribe(CheckpointWriter(logger, trainer))
        trainer.subscribe(lambda e: saved.append(e) if isinstance(e, ev.CheckpointSaved)
                          else None)
        trainer.run()
    npz = str(tmp_path / "checkpoint.npz")
    assert saved == [ev.CheckpointSaved(20, npz), ev.CheckpointSaved(40, npz),
                     ev.CheckpointSaved(40, npz)]  # two epoch ends, then the end
    assert load_checkpoint(tmp_path).step == 40


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_whole_file_writes_get_the_mode_a_plain_write_gets(tmp_path: Path) -> None:
    # Whole files went through a private temp file and kept its 0600: a run folder shared
    # with a class or synced to another account could not be read by the others.
    from nntui.runlog.files import atomic_write

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    whole = tmp_path / "whole.txt"
    atomic_write(whole, lambda f: f.write(b"x"))
    assert (whole.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)
