"""Reading and writing the IDX format of MNIST-style files (gzip-compressed or raw).

Layout after decompression: two zero bytes, a type code, the number of dimensions
``n``, ``n`` big-endian uint32 sizes, then the data, row-major and big-endian.
Read as one big-endian int32, the first four bytes are the magic number:
``0x00000801`` for label files (ubyte, 1-D) and ``0x00000803`` for image files
(ubyte, 3-D). Every check fails with a :class:`DatasetError` naming the file.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

import numpy as np

from nntui.data.files import read_file
from nntui.errors import DatasetError

LABELS_MAGIC = 0x00000801
IMAGES_MAGIC = 0x00000803
GZIP_MAGIC = b"\x1f\x8b"

# Type code -> big-endian numpy dtype.
DTYPES: dict[int, str] = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
MAX_BYTES = 1 << 31  # no MNIST-style file comes near 2 GiB decompressed


def _decompress(raw: bytes, path: Path) -> bytes:
    """Gunzip ``raw`` if it starts with the gzip magic, else return it unchanged."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            data = f.read(MAX_BYTES + 1)  # bounded: a small gzip can unpack to gigabytes
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path}: not a valid gzip file ({exc}); download it again") from exc
    if len(data) > MAX_BYTES:
        raise DatasetError(f"{path}: unpacks to more than {MAX_BYTES >> 30} GiB; "
                           "not an MNIST-style file")
    return data


def parse_idx(data: bytes, path: str | Path = "<bytes>") -> np.ndarray:
    """Parse decompressed IDX bytes into an array.

    Args:
        data: the whole decompressed file.
        path: the file name used in error messages.

    Returns:
        The array in native byte order, with the declared shape.

    Raises:
        DatasetError: bad magic, unknown type code, or a length that does not match
            the declared dimensions exactly.
    """
    name = Path(path)
    if len(data) < 4:
        raise DatasetError(f"{name}: truncated IDX header ({len(data)} bytes, need at least 4)")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    magic = int.from_bytes(data[:4], "big")
    if zero != 0 or code not in DTYPES or ndim == 0:
        raise DatasetError(
            f"{name}: bad IDX magic 0x{magic:08x} (expected 0x0000TTNN with a known type TT "
            f"and NN >= 1 dimensions, e.g. 0x{IMAGES_MAGIC:08x}); is this an IDX file?"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
            f"file has {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(DTYPES[code])
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
    found = len(data) - header
    if expected != found:
        what = "truncated" if found < expected else "has trailing bytes"
        raise DatasetError(
            f"{name}: {what}: shape {tuple(dims)} needs {expected} data bytes, found {found}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=False)


def read_idx(path: str | Path, expect_magic: int | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw.

    Args:
        path: the file.
        expect_magic: if given, the magic number the file must have
            (:data:`LABELS_MAGIC` or :data:`IMAGES_MAGIC`).

    Returns:
        The array with the declared shape.

    Raises:
        DatasetError: unreadable file, bad gzip, bad magic, wrong dimensions or length.
    """
    file = Path(path)
    data = _decompress(read_file(file, "IDX file", limit=MAX_BYTES), file)
    array = parse_idx(data, file)
    if expect_magic is not None:
        magic = int.from_bytes(data[:4], "big")
        if magic != expect_magic:
            raise DatasetError(
                f"{file}: IDX magic 0x{magic:08x}, expected 0x{expect_magic:08x} "
                f"({_describe(expect_magic)}); is it the right file?"
            )
    return array


def _describe(magic: int) -> str:
    return {LABELS_MAGIC: "ubyte labels, 1-D", IMAGES_MAGIC: "ubyte images, 3-D"}.get(
        magic, "IDX file"
    )


def read_idx_images(path: str | Path, size: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Read an image file: magic 0x00000803, shape ``(N, H, W)`` uint8.

    Raises:
        DatasetError: as :func:`read_idx`, or images of another size than ``size``.
    """
    images = read_idx(path, IMAGES_MAGIC)
    if images.shape[1:] != size:
        raise DatasetError(
            f"{path}: images are {images.shape[1]}x{images.shape[2]}, expected {size[0]}x{size[1]}"
        )
    return images


def read_idx_labels(path: str | Path) -> np.ndarray:
    """Read a label file: magic 0x00000801, shape ``(N,)`` uint8.

    Raises:
        DatasetError: as :func:`read_idx`.
    """
    return read_idx(path, LABELS_MAGIC)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (uncompressed).

    Raises:
        DatasetError: for a dtype IDX cannot store or a 0-D array.
    """
    codes = {np.dtype(v).newbyteorder("="): k for k, v in DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes or array.ndim == 0 or array.ndim > 255:
        raise DatasetError(
            f"IDX stores 1-255 dimensions of uint8, int8, int16, int32, float32 or float64. "
            f"Received: dtype={array.dtype}, ndim={array.ndim}"
        )
    code = codes[dtype]
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write an array as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Args:
        path: destination.
        array: the data.
        compress: force or forbid gzip (default: by extension).
    """
    file = Path(path)
    data = encode_idx(array)
    if compress if compress is not None else file.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    file.write_bytes(data)
