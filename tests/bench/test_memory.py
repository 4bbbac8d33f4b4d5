"""Peak memory of a 5-epoch MNIST-sized MLP run (60000 × 784 float32, the bench's MLP),
measured as the peak RSS of a subprocess that imports only nntui."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

LIMIT_MB = 500
SCRIPT = textwrap.dedent("""
    import json, resource, time
    import numpy as np
    import nntui
    from nntui import layers as L
    rng = np.random.default_rng(0)
    x = rng.random((60000, 784), dtype=np.float32)  # 188 MB, as MNIST in float32
    y = rng.integers(0, 10, 60000)
    m = nntui.Sequential([nntui.Input((784,)), L.Dense(256, activation="relu"),
                          L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                         backend="numpy", seed=0)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    m.fit(x, y, batch_size=128, epochs=5, verbose=0)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"peak_mb": peak_mb, "data_mb": x.nbytes / 2**20, "seconds": seconds}))
""")


def measure() -> dict[str, float]:
    """Run the 5-epoch fit in a fresh interpreter; its peak RSS, data size and time."""
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=1800)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.bench
def test_five_epoch_mnist_sized_mlp_peaks_under_500_mb() -> None:
    result = measure()
    print(result)
    assert result["peak_mb"] < LIMIT_MB, result
