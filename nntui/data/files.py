"""Reading files a user names, safely: regular files only, bounded, never unpickled.

Every loader that opens a user's path (CSV, text, IDX, NPZ datasets; checkpoints)
reads it through here, so ``path=/dev/zero`` is refused instead of filling memory,
a FIFO is refused instead of hanging, a file over :data:`MAX_FILE_BYTES` is refused
before it is read, and an ``.npz`` archive is read without pickle, every member
checked (CRC) and its declared sizes bounded before anything is decompressed.
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nntui.errors import DatasetError, NntuiError

MAX_FILE_BYTES = 4 << 30
"""The largest file a loader reads (4 GiB: the MNIST files are ~55 MB, a checkpoint of
every preset a few MB); the arrays of an ``.npz`` archive are bounded the same way."""

MAX_TEXT_BYTES = 256 << 20
"""The largest CSV or text file read: parsed into Python rows and strings, a file takes
tens of times its size in memory, so the bound is lower than for binary arrays."""

# What np.load and zipfile raise on damaged archives (encrypted or unsupported members
# included). Listed, not `Exception`, so a bug here still surfaces as itself.
_ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    MemoryError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
)


def regular_file(path: Path, what: str = "file", error: type[NntuiError] = DatasetError,
                 limit: int = MAX_FILE_BYTES) -> int:
    """Check that ``path`` is a readable regular file of at most ``limit`` bytes; its size.

    Raises:
        ``error``: missing, a folder, a device or FIFO (``/dev/zero``, a named pipe),
            or too large; one line naming the path.
    """
    try:
        st = os.stat(path)  # follows a link to a regular file, which is fine to read
    except FileNotFoundError:
        raise error(f"{path}: no such {what}; check path=") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{path}: cannot read a folder as a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{path}: not a regular file (a device, pipe or socket); "
                    f"nntui reads a {what} from a regular file only")
    if st.st_size > limit:
        raise error(f"{path}: {st.st_size / 2**30:.1f} GiB is larger than the "
                    f"{limit / 2**30:g} GiB nntui reads")
    return st.st_size


def read_file(path: Path, what: str = "file", error: type[NntuiError] = DatasetError,
              limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`regular_file`)."""
    regular_file(path, what, error, limit)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:  # it grew since the check
        raise error(f"{path}: larger than the {limit / 2**30:g} GiB nntui reads")
    return data


def read_npz(path: Path, what: str = "NPZ file", error: type[NntuiError] = DatasetError,
             limit: int = MAX_FILE_BYTES, hint: str = " (save one with numpy.savez)"
             ) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive: no pickle, every member's CRC checked.

    Raises:
        ``error``: not a regular file, not an archive, damaged (corrupt or truncated),
            object arrays (which would need pickle), or arrays larger than ``limit``.
    """
    regular_file(path, what, error, limit)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic != b"PK\x03\x04":
        raise error(f"{path}: not a .npz archive{hint}")
    try:
        with zipfile.ZipFile(path) as zf:
            declared = sum(info.file_size for info in zf.infolist())
        if declared > limit:
            raise error(f"{path}: its arrays take {declared / 2**30:.1f} GiB, more than the "
                        f"{limit / 2**30:g} GiB nntui reads")
        with np.load(path, allow_pickle=False) as archive:
            # reading every member now also checks every member's CRC
            return {key: archive[key] for key in archive.files}
    except NntuiError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise error(f"{path}: holds object arrays, which would need pickle; "
                        "save plain numeric arrays") from None
        raise error(f"{path}: corrupt or truncated, not a readable .npz archive ({exc})"
                    ) from None
    except _ARCHIVE_ERRORS as exc:
        raise error(f"{path}: corrupt or truncated, not a readable .npz archive ({exc})"
                    ) from None
