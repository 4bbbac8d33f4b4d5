"""The app's runs can be resumed like ``nntui train``'s: a checkpoint at every epoch end,
and SIGTERM or SIGHUP end the real app (in a pseudo-terminal) as cleanly as ``q``: exit 0,
the run's end row and checkpoint written, the terminal back from the alternate screen."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from nntui.app.screens.train_screen import TrainScreen
from nntui.runlog import load_checkpoint
from nntui.runlog.replay import read_jsonl_rows
from tests.app.conftest import SIZE, asynctest, wait_until

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ("import sys; sys.modules['torch'] = None; from nntui.cli import main; "
          "sys.exit(main(sys.argv[1:]))")
LEAVE_ALT_SCREEN = b"\x1b[?1049l"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")


def _app_in_a_pty(cwd: Path) -> tuple[subprocess.Popen[bytes], bytearray, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color",
               NNTUI_BLAS_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--backend", "numpy", "--preset",
                             "mlp-spiral"], stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                            env=env, start_new_session=True)
    os.close(slave)
    out = bytearray()

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out.extend(data)
        os.close(master)

    threading.Thread(target=drain, daemon=True).start()
    return proc, out, master


def _start_training(cwd: Path, proc: subprocess.Popen[bytes], master: int,
                    timeout: float = 90) -> None:
    """Press Enter in the launcher (open on the preset) until a run folder appears."""
    deadline = time.monotonic() + timeout
    while not list(cwd.glob("runs/*")):
        assert time.monotonic() < deadline and proc.poll() is None, "no run started"
        time.sleep(1.0)
        if not list(cwd.glob("runs/*")):
            os.write(master, b"\r")


def _rows_written(cwd: Path, n: int, proc: subprocess.Popen[bytes], timeout: float = 90) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        logs = list(cwd.glob("runs/*/metrics.jsonl"))
        if logs and logs[0].read_bytes().count(b"\n") >= n:
            return logs[0].parent
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the app wrote no rows")


@pytest.mark.parametrize("sig", [
    pytest.param(signal.SIGTERM, id="SIGTERM"),
    # the same handler as SIGTERM's; ~10 s of a real app in a pty each, so in the slow run
    pytest.param(signal.SIGHUP, id="SIGHUP", marks=pytest.mark.slow),
])
def test_a_termination_signal_ends_the_app_like_q(tmp_path, sig) -> None:
    proc, out, master = _app_in_a_pty(tmp_path)
    _start_training(tmp_path, proc, master)
    run = _rows_written(tmp_path, 60, proc)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == 0
    time.sleep(0.2)  # the last bytes through the pty
    rows = read_jsonl_rows(run / "metrics.jsonl")
    last_step = [r for r in rows if r["kind"] == "step"][-1]["step"]
    assert rows[-1]["kind"] == "finished" and rows[-1]["stopped_early"] is True
    assert rows[-1]["step"] == last_step
    assert load_checkpoint(run).step == last_step  # resumable from where it stopped
    assert LEAVE_ALT_SCREEN in bytes(out[-4096:]), bytes(out[-300:])
    assert b"Traceback" not in out


@asynctest
async def test_the_app_checkpoints_at_every_epoch_end(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.training is not None
                         and app.screen.training.run_dir is not None)
        screen = app.screen
        per_epoch = screen.trainer.steps_per_epoch
        ckpt = screen.training.run_dir / "checkpoint.npz"
        await wait_until(pilot, lambda: screen.trainer.epoch >= 3 and ckpt.exists())
        saved = load_checkpoint(ckpt)
        assert saved.batch == 0 and saved.step == saved.epoch * per_epoch >= per_epoch
        await pilot.press("q")
