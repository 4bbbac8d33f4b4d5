"""Character-level language-model datasets: addition, any text file, Tiny Shakespeare.

x holds token ids ``(N, T)`` int64 and y the next token at every position
``(N, T)`` int64 (x shifted left by one). ``meta["vocab"]`` is the tuple of
characters (id = index) and ``meta["stoi"]`` the reverse mapping; use
:func:`encode` and :func:`decode` to go between text and ids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nntui.data.dataset import (
    Dataset,
    check_choice,
    check_count,
    check_fraction,
    holdout_split,
    make_rng,
    sample_count,
)
from nntui.data.download import RemoteFile, cache_dir, fetch, verify
from nntui.data.files import MAX_TEXT_BYTES, read_file
from nntui.data.tokenizers import CharTokenizer, Tokenizer, train_bpe
from nntui.errors import DatasetError

ADDITION_VOCAB = tuple("0123456789+=")
MAX_DEFAULT_WINDOWS = 50_000  # default cap on training windows, bounds memory for big files
SHAKESPEARE = RemoteFile(
    "input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",),
)


def encode(text: str, stoi: dict[str, int]) -> np.ndarray:
    """Map characters to ids, int64 ``(len(text),)``.

    Raises:
        DatasetError: for a character outside the vocabulary.
    """
    try:
        return np.array([stoi[c] for c in text], dtype=np.int64)
    except KeyError as exc:
        raise DatasetError(f"character {exc.args[0]!r} is not in the vocabulary") from exc


def decode(ids: np.ndarray, vocab: tuple[str, ...]) -> str:
    """Map ids back to a string."""
    return "".join(vocab[int(i)] for i in np.ravel(ids))


def _shifted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(N, T+1)`` ids -> inputs ``(N, T)`` and next-token targets ``(N, T)``."""
    return np.ascontiguousarray(ids[:, :-1]), np.ascontiguousarray(ids[:, 1:])


def _vocab_meta(vocab: tuple[str, ...], **extra: object) -> dict[str, object]:
    return {"vocab": vocab, "stoi": {c: i for i, c in enumerate(vocab)}, **extra}


def load_addition(
    *, seed: int = 0, n_samples: int | None = None, digits: int = 2, test_fraction: float = 0.2
) -> Dataset:
    """Fixed-width additions ``"a+b=c"``: ``"07+35=042"`` for ``digits=2``.

    Operands have ``digits`` digits, the sum ``digits + 1``, all zero-padded, so each
    string has ``3 * digits + 3`` characters and ``T = 3 * digits + 2``. Pairs are
    distinct while there are enough of them, so no sum is both trained on and
    tested. ``meta["answer_start"]`` is the first position of y that is an answer
    digit (score answers from there on).

    Args:
        seed: random seed.
        n_samples: number of additions (default 5000; at most ``100**digits``).
        digits: operand width, 1..6.
        test_fraction: share held out.
    """
    rng = make_rng(seed)
    d = check_count("digits", digits, 1)
    if d > 6:
        raise DatasetError(f"digits must be between 1 and 6. Received: digits={d}")
    total = 10 ** (2 * d)
    n = sample_count(n_samples, min(5000, total), 2)
    pairs = rng.choice(total, size=n, replace=n > total)
    a, b = pairs // 10**d, pairs % 10**d
    text = [
        f"{i:0{d}d}+{j:0{d}d}={i + j:0{d + 1}d}"
        for i, j in zip(a.tolist(), b.tolist(), strict=True)
    ]
    stoi = {c: i for i, c in enumerate(ADDITION_VOCAB)}
    ids = np.array([[stoi[c] for c in s] for s in text], dtype=np.int64)  # (N, 3d+3)
    x_train, y_train, x_test, y_test = holdout_split(*_shifted(ids), rng, test_fraction)
    meta = _vocab_meta(ADDITION_VOCAB, answer_start=2 * d + 1, digits=d)
    return Dataset(
        "addition",
        x_train,
        y_train,
        x_test,
        y_test,
        "language",
        len(ADDITION_VOCAB),
        None,
        (3 * d + 2,),
        f"{d}-digit addition, character level",
        meta,
    )


def _read_text(path: Path) -> str:
    try:
        return read_file(path, "text file", limit=MAX_TEXT_BYTES).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _char_ids(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Sorted vocabulary and int64 ids of every character, in O(len(text))."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    points = np.flatnonzero(np.bincount(codes))  # sorted code points = sorted characters
    table = np.zeros(int(points[-1]) + 1, dtype=np.int64)
    table[points] = np.arange(len(points))
    return tuple(chr(int(p)) for p in points), table[codes]


def _check_long_enough(source: str, characters: int, shorter_part: int, block: int,
                       test_fraction: float) -> None:
    if shorter_part < block + 1:
        raise DatasetError(
            f"{source}: {characters} characters are too few for block_size={block} with "
            f"test_fraction={test_fraction}; each part needs {block + 1} tokens; lower "
            "block_size"
        )


def _windows(ids: np.ndarray, block: int, starts: np.ndarray) -> np.ndarray:
    """Gather ``(len(starts), block + 1)`` windows of ``ids``."""
    return ids[starts[:, None] + np.arange(block + 1)]  # (N, 1) + (T+1,) -> (N, T+1)


def text_dataset(
    name: str,
    text: str,
    source: str,
    *,
    seed: int,
    n_samples: int | None,
    block_size: int,
    test_fraction: float,
    tokenizer: str = "char",
    merges: int = 256,
) -> Dataset:
    """LM windows of ``text`` (``tokenizer``: characters, or a byte-pair encoding with
    ``merges`` merges learned on the training part); the last ``test_fraction`` of it is
    held out.

    Training windows start at seeded random offsets (default count: the text
    length over ``block_size``); held-out windows tile the held-out text.

    Raises:
        DatasetError: text too short for ``block_size`` on either side of the split.
    """
    rng = make_rng(seed)
    block = check_count("block_size", block_size, 1)
    check_choice("tokenizer", tokenizer, ("char", "bpe"))
    cut = int(len(text) * (1 - check_fraction("test_fraction", test_fraction)))
    _check_long_enough(source, len(text), min(cut, len(text) - cut), block, test_fraction)
    vocab, ids = _char_ids(text)
    tok: Tokenizer = CharTokenizer(vocab)
    train, test = ids[:cut], ids[cut:]
    if tokenizer == "bpe":  # learned on the training part only
        tok, train = train_bpe(text[:cut], check_count("merges", merges, 0), chars=vocab)
        test = tok.encode(text[cut:])
        vocab = tok.vocab
    # again in tokens: a byte-pair encoding shortens each part
    _check_long_enough(source, len(text), min(len(train), len(test)), block, test_fraction)
    n = sample_count(n_samples, min(MAX_DEFAULT_WINDOWS, max(1, len(train) // block)), 1)
    train_windows = _windows(train, block, rng.integers(0, len(train) - block, size=n))
    test_windows = _windows(test, block, np.arange(0, len(test) - block, block))
    meta = _vocab_meta(vocab, source=source, characters=len(text), tokenizer=tok,
                       tokens=len(train) + len(test))
    return Dataset(
        name,
        *_shifted(train_windows),
        *_shifted(test_windows),
        "language",
        len(vocab),
        None,
        (block,),
        f"character-level text from {source}",
        meta,
    )


def load_text(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    path: str | None = None,
    block_size: int = 64,
    test_fraction: float = 0.1,
    tokenizer: str = "char",
    merges: int = 256,
) -> Dataset:
    """Any UTF-8 text file as a character-level language-model dataset.

    Args:
        seed: random seed (training window offsets).
        n_samples: training windows (default: text length / block_size, at most 50,000).
        path: the text file (required).
        block_size: context length T, in tokens.
        test_fraction: share of the text, taken from its end, held out.
        tokenizer: ``"char"`` (one token per character) or ``"bpe"`` (byte-pair encoding
            learned on the training part, :func:`nntui.data.tokenizers.train_bpe`).
        merges: BPE merges (vocabulary = characters + merges).

    Raises:
        DatasetError: no path, unreadable or non-UTF-8 file, text too short.
    """
    if path is None:
        raise DatasetError(
            'dataset "text" needs a file: pass path="some.txt" (--set dataset.path=...)'
        )
    file = Path(path).expanduser()
    return text_dataset(
        "text",
        _read_text(file),
        str(file),
        seed=seed,
        n_samples=n_samples,
        block_size=block_size,
        test_fraction=test_fraction,
        tokenizer=tokenizer,
        merges=merges,
    )


def _shakespeare_file(data_dir: str | None) -> Path:
    """``input.txt`` from ``data_dir`` (or its ``tinyshakespeare`` folder), else the cache."""
    if data_dir is None:
        return fetch(SHAKESPEARE, cache_dir() / "tinyshakespeare")
    folder = Path(data_dir).expanduser()
    for candidate in (folder / "input.txt", folder / "tinyshakespeare" / "input.txt"):
        if candidate.is_file():
            verify(candidate, SHAKESPEARE.sha256)
            return candidate
    raise DatasetError(
        f"{folder}: no tinyshakespeare input.txt in it or in its tinyshakespeare/ folder; "
        f"download {SHAKESPEARE.mirrors[0]}input.txt there"
    )


def load_tinyshakespeare(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    data_dir: str | None = None,
    block_size: int = 64,
    test_fraction: float = 0.1,
    tokenizer: str = "char",
    merges: int = 256,
) -> Dataset:
    """Tiny Shakespeare (Karpathy's char-rnn, 1,115,394 characters, 65 symbols).

    Read from ``data_dir`` when given, else downloaded once into the cache and
    verified by SHA-256. Options as :func:`load_text`.
    """
    file = _shakespeare_file(data_dir)
    return text_dataset(
        "tinyshakespeare",
        _read_text(file),
        str(file),
        seed=seed,
        n_samples=n_samples,
        block_size=block_size,
        test_fraction=test_fraction,
        tokenizer=tokenizer,
        merges=merges,
    )
