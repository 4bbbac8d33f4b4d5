"""Advice the app can follow: messages written for the command line, reworded.

The engine and the data loaders advise in the terms of ``nntui train`` (``--set
train.clipnorm=1.0``, ``--data-dir``). In the app the same fix is a launcher field or
a key, so :func:`app_advice` rewrites those phrases before a message is shown.
"""

from __future__ import annotations

import re

CLIP = "gradient clipping (Esc, then the launcher's clipnorm field, e.g. 1.0)"
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"gradient clipping \((?:--set )?train\.clipnorm ?= ?[0-9.]+\)"), CLIP),
    (re.compile(r"clipping \(train\.clipnorm\)"), "clipping (the launcher's clipnorm field)"),
    (re.compile(r"a lower learning rate \(e\.g\. 10x smaller\)"),
     "a lower learning rate (- halves it, r starts again)"),
    (re.compile(r"pass --data-dir \(data_dir=\) pointing at it"),
     "set the launcher's data folder field to that folder (Esc goes back to it)"),
    (re.compile(r"set NNTUI_DATA_DIR to a writable folder"),
     "set the launcher's data folder field to a folder holding the files (Esc goes back "
     "to it)"),
    (re.compile(r"--data-dir"), "the launcher's data folder field"),
    (re.compile(r"--set (\w+)\.(\w+)=(\S+?)(?=[).,;]|\s|$)"), r"the launcher's \2 field (\3)"),
)


def app_advice(message: str) -> str:
    """``message`` with command-line advice replaced by the app's own controls."""
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message
