"""Export paths that stay inside the folder the user chose.

Every file the app exports (logs, checkpoint, config, SVG) goes through
:func:`safe_export_path`, so a typed or pasted name cannot write anywhere else:
absolute names, ``..`` components and symlinks that lead out of the folder are
refused. Whether to overwrite a file that exists *inside* the folder is the
caller's question to ask (``path.exists()``).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from nntui.errors import ConfigError


def safe_export_path(folder: str | Path, name: str) -> Path:
    """``folder / name``, refused when it would lead outside ``folder``.

    ``name`` may hold sub-folders (``"run1/metrics.csv"``); they need not exist yet.

    Args:
        folder: the export folder the user chose (need not exist yet).
        name: a relative file name.

    Returns:
        The absolute path to write, inside ``folder`` (symlinks resolved).

    Raises:
        ConfigError: an empty name, an absolute name (``/etc/passwd``, ``C:\\x``), a
            ``..`` component, or a path whose symlinks lead out of ``folder``.

    Example:
        >>> safe_export_path("exports", "metrics.csv").name
        'metrics.csv'
    """
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        raise ConfigError(f"export file name must be a non-empty file name. Received: {name!r}")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.anchor or name.startswith("~"):
        raise ConfigError(f"export file name must be relative to the export folder "
                          f"{folder}. Received: {name!r}")
    if ".." in windows.parts:  # PureWindowsPath splits on both / and \
        raise ConfigError(f"export file name must not contain '..'. Received: {name!r}")
    base = Path(os.path.abspath(Path(folder).expanduser()))
    root = base.resolve()
    target = (base / name).resolve()
    if target != root and root not in target.parents:
        raise ConfigError(f"export file {name!r} leads outside the export folder {base} "
                          f"(through a symbolic link to {target}); choose another name")
    if target == root:
        raise ConfigError(f"export file name must name a file in {base}. Received: {name!r}")
    return target
