"""The data cache, SHA-256 checks and downloads with mirror fallback.

Files are cached in ``$NNTUI_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/nntui``, else
``~/.cache/nntui``. A download goes to a temporary file in the destination folder,
is hashed while it streams, and is renamed into place only when its SHA-256
matches, so an interrupted or corrupted download never looks like a good file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nntui.errors import DatasetError

TIMEOUT_S = 30.0
CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """A file known by name and checksum, fetched from the first mirror that works.

    Attributes:
        name: file name, e.g. ``"t10k-images-idx3-ubyte.gz"``.
        sha256: expected hex digest.
        mirrors: base URLs ending in ``/``; the file URL is ``mirror + name``.
    """

    name: str
    sha256: str
    mirrors: tuple[str, ...]


def cache_dir() -> Path:
    """The folder nntui caches downloads in (not created here)."""
    override = os.environ.get("NNTUI_DATA_DIR")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "nntui"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks.

    Raises:
        DatasetError: if the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    """Check a file's SHA-256.

    Raises:
        DatasetError: naming the file, the expected and the actual digest.
    """
    got = sha256_file(path)
    if got != expected:
        raise DatasetError(
            f"{path}: SHA-256 mismatch: expected {expected}, got {got}; "
            "the file is corrupt or not the original, delete it and download it again"
        )


def _download_to(url: str, folder: Path, expected: str) -> Path:
    """Stream ``url`` into a temporary file in ``folder`` and check its SHA-256.

    Returns:
        The temporary file (the caller renames it).

    Raises:
        OSError, urllib.error.URLError: network failures.
        DatasetError: a checksum mismatch.
    """
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False)
    tmp = Path(handle.name)
    try:
        with handle, urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != expected:
            raise DatasetError(
                f"{url}: SHA-256 mismatch: expected {expected}, got {digest.hexdigest()}"
            )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def fetch(remote: RemoteFile, folder: Path) -> Path:
    """Return ``folder / remote.name``, downloading it first if it is missing.

    A file already present is verified; mirrors are tried in order.

    Raises:
        DatasetError: checksum mismatch of a present file, or every mirror failed
            (the message says how to download by hand and use ``--data-dir``).
    """
    target = folder / remote.name
    if target.exists():
        verify(target, remote.sha256)
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(
            f"cannot create the data cache {folder} ({exc.strerror or exc}); "
            "set NNTUI_DATA_DIR to a writable folder"
        ) from exc
    errors: list[str] = []
    for mirror in remote.mirrors:
        url = mirror + remote.name
        try:
            os.replace(_download_to(url, folder, remote.sha256), target)
            return target
        except DatasetError as exc:
            errors.append(str(exc))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(f"{url}: {getattr(exc, 'reason', None) or exc}")
    raise DatasetError(_manual_hint(remote, folder, errors))


def _manual_hint(remote: RemoteFile, folder: Path, errors: Sequence[str]) -> str:
    urls = " or ".join(m + remote.name for m in remote.mirrors)
    return (
        f"could not download {remote.name} ({'; '.join(errors)}); download it by hand from "
        f"{urls} into {folder}, or into any folder and pass --data-dir (data_dir=) pointing at it"
    )
