"""``nntui run script.py [ARGS…]``: run a learner's script and show every ``fit`` in it live.

The script runs as a child process with ``$NNTUI_WATCH`` set to the runs folder, so
``import nntui`` in it installs a watcher and every ``fit`` (Keras-shaped or an
estimator's) writes a run folder there (:mod:`nntui.watch`). The app follows those
folders as they appear, one replay screen per ``fit``. The script's own output is kept
and printed when the app closes (the terminal belongs to the app meanwhile).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nntui
from nntui.errors import ConfigError
from nntui.runlog.rundir import METRICS_JSONL
from nntui.watch import WATCH_ENV


class ScriptProcess:
    """The learner's script, running, and the run folders its fits write.

    Args:
        script: the Python file to run.
        args: its command-line arguments.
        runs_dir: where its fits write their run folders.

    Raises:
        ConfigError: the script is not a file.
    """

    def __init__(self, script: str | Path, args: list[str], runs_dir: str | Path) -> None:
        self.script = Path(script)
        if not self.script.is_file():
            raise ConfigError(f"nntui run takes a Python script. Received: {str(script)!r} "
                              "(no such file)")
        self.runs_dir = Path(runs_dir).resolve()
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._before = set(self.runs_dir.iterdir())
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - read back when it ends
        env = dict(os.environ)
        env[WATCH_ENV] = str(self.runs_dir)
        here = str(Path(nntui.__file__).resolve().parents[1])  # the script gets this nntui
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen([sys.executable, str(self.script), *args],
                                        stdout=self._output, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env)

    @property
    def returncode(self) -> int | None:
        """The script's exit status (None: still running)."""
        return self.process.poll()

    def runs(self) -> list[Path]:
        """The run folders its fits wrote so far, oldest first."""
        new = [p for p in self.runs_dir.iterdir()
               if p not in self._before and (p / METRICS_JSONL).is_file()]
        return sorted(new, key=lambda p: (p / METRICS_JSONL).stat().st_ctime)

    def stop(self, timeout: float = 5.0) -> None:
        """End the script if it still runs (terminate, then kill)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        """Everything the script printed."""
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace")


def run_command(args: Any) -> int:
    """Run the script under the app; print its output after; exit with its status."""
    from nntui.app.app import NntuiApp

    script = ScriptProcess(args.script, list(args.script_args), args.log_dir)
    try:
        NntuiApp(script=script, backend=args.backend).run()
    finally:
        script.stop()
    sys.stdout.write(script.output())
    code = script.returncode
    return 0 if code is None else (code if code >= 0 else 128 - code)
