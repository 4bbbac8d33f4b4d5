"""viz is headless: importing it pulls in neither Textual nor plotext."""

from __future__ import annotations

import subprocess
import sys


def test_viz_imports_without_textual_or_plotext() -> None:
    code = (
        "import sys, nntui.viz; "
        "bad = [m for m in ('textual', 'plotext') if m in sys.modules]; "
        "assert not bad, bad"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
