"""``nntui bench --baseline PATH``: another nntui checkout as one more runner, interleaved.

So "before" and "after" of a change come from one run, on the same data and under the
same load: the other checkout trains in a worker process (its own ``nntui`` imported
from PATH), one ``fit`` epoch per request, while this process times the request.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nntui.errors import ConfigError

# Runs inside the worker, against the other checkout's nntui; the bench modules' homes
# moved once, so both are tried.
WORKER = """
import sys
import numpy as np
try:
    from nntui.commands import bench, bench_frameworks as frameworks
except ImportError:
    from nntui import bench, bench_frameworks as frameworks
model, backend, n, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
bench.SAMPLES[model] = n
x, y = bench.synthetic(model, np.random.default_rng(0))
if model == "gan":
    run = frameworks.make_nntui(model, x, y, batch, backend)
else:
    net = frameworks.nntui_model(model, backend)
    def run():
        net.fit(x, y, batch_size=batch, epochs=1, verbose=0)
print("ready", flush=True)
for _ in sys.stdin:
    run()
    print("done", flush=True)
"""


class BaselineRunner:
    """Trains one epoch per call in the nntui checkout at ``path`` (a worker process).

    Raises:
        ConfigError: ``path`` holds no nntui package, or its worker failed or stopped.
    """

    def __init__(self, model: str, path: str, backend: str, samples: int, batch: int) -> None:
        self.root = Path(path).expanduser().resolve()
        if not (self.root / "nntui" / "__init__.py").is_file():
            raise ConfigError(f"--baseline must be a folder holding an nntui checkout "
                              f"(with nntui/__init__.py). Received: {path!r}")
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        # cwd=root: ``python -c`` puts the working folder first on sys.path
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, model, backend, str(samples), str(batch)],
            cwd=self.root, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.model = model
        self._expect("ready", "could not run")

    def __call__(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("epoch\n")
        self.proc.stdin.flush()
        self._expect("done", "stopped during")

    def _expect(self, word: str, failed: str) -> None:
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != word:
            self.close()
            raise ConfigError(f"the baseline nntui at {str(self.root)!r} {failed} "
                              f"the {self.model} model")

    def close(self) -> None:
        """End the worker (it also ends by itself when this process's pipes close)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(30)
