"""The run's resolved config as ``config.toml``: written atomically, read back exactly."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import tomli_w

from nntui.errors import CheckpointError, ConfigError
from nntui.runlog.files import atomic_write
from nntui.runlog.rundir import CONFIG_TOML

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_SCALARS = (str, bool, int, float, date, datetime, time)


def to_toml_value(value: Any, where: str = "config") -> Any:
    """Convert a plain config value into something ``tomli_w`` can write.

    NumPy scalars and arrays become Python numbers and lists, tuples become lists,
    paths and enums become their string/value. TOML has no null, so keys whose
    value is ``None`` are left out of their table (read back: "not set").

    Raises:
        ConfigError: a value has no TOML form (quoted with its key path).
    """
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_toml_value(v, f"{where}.{k}") for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_toml_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ConfigError(
        f"config value has no TOML form. Received: {where}={value!r} ({type(value).__name__})"
    )


TOMLDecodeError = tomllib.TOMLDecodeError


class TomlTooComplex(ValueError):
    """TOML the parser cannot take apart without failing outside its own error type: nesting
    too deep for its recursion (3000 ``[``) or integers over Python's digit limit."""


def loads_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with every way it can fail as a ``ValueError``.

    Raises:
        TOMLDecodeError: malformed TOML (line and column in the message).
        TomlTooComplex: nested too deep, or an integer with thousands of digits.
    """
    try:
        return tomllib.loads(text)
    except TOMLDecodeError:
        raise
    except RecursionError:
        raise TomlTooComplex("it is nested too deeply to read") from None
    except (ValueError, MemoryError) as exc:  # e.g. int() past sys.get_int_max_str_digits()
        raise TomlTooComplex(f"a value cannot be read ({exc})") from None


def write_config(run_dir: str | Path, config: Mapping[str, Any]) -> Path:
    """Write ``config`` to ``run_dir/config.toml`` atomically and return the path.

    Raises:
        ConfigError: ``config`` holds a value TOML cannot represent.
        CheckpointError: the file cannot be written.
    """
    path = Path(run_dir) / CONFIG_TOML
    text = tomli_w.dumps(to_toml_value(dict(config)))
    try:
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    except OSError as exc:
        raise CheckpointError(f"cannot write run config {path}: {exc}") from exc
    return path


def read_config(run_dir: str | Path) -> dict[str, Any]:
    """Read ``run_dir/config.toml``.

    Raises:
        CheckpointError: the file is missing or is not valid TOML.
    """
    path = Path(run_dir) / CONFIG_TOML
    try:
        return loads_toml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CheckpointError(f"run config not found: {path}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"run config {path} cannot be read: {exc}") from None
