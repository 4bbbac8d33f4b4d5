"""Tokenizers: how text becomes the ids a language model reads, and back.

:class:`CharTokenizer` gives each distinct character an id (sorted order);
:class:`BPETokenizer` starts there and learns merges of frequent neighbouring tokens
(:func:`train_bpe`), trading a larger vocabulary for shorter sequences. Both kinds
save to and load from a small JSON-able dict (:meth:`to_dict`,
:func:`tokenizer_from_dict`), which a language model's checkpoint carries so a run
can write text without its dataset (``nntui generate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.errors import DatasetError


@dataclass(frozen=True)
class CharTokenizer:
    """One id per character: ``vocab[i]`` is the character of id i."""

    vocab: tuple[str, ...]
    kind = "char"
    stoi: dict[str, int] = field(init=False, repr=False, compare=False)
    """Id by character."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "stoi", {c: i for i, c in enumerate(self.vocab)})

    def encode(self, text: str) -> np.ndarray:
        """int64 ids ``(len(text),)``.

        Raises:
            DatasetError: a character outside the vocabulary (quoted).
        """
        try:
            return np.array([self.stoi[c] for c in text], dtype=np.int64)
        except KeyError as exc:
            raise DatasetError(f"character {exc.args[0]!r} is not in the vocabulary") from exc

    def decode(self, ids: Any) -> str:
        return "".join(self.token(int(i)) for i in np.ravel(ids))

    def token(self, i: int) -> str:
        """The text of id ``i`` ("?" outside the vocabulary)."""
        return self.vocab[i] if 0 <= i < len(self.vocab) else "?"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "vocab": list(self.vocab)}


@dataclass(frozen=True)
class Merge:
    """One step of BPE training: ``left + right`` became token ``id``, which occurred
    ``count`` times, leaving ``length`` tokens in the text and ``vocab`` in the vocabulary."""

    left: str
    right: str
    id: int
    count: int
    length: int
    vocab: int


def _merge(ids: np.ndarray, a: int, b: int, new: int) -> np.ndarray:
    """Every non-overlapping ``a b`` (left to right) replaced by ``new``."""
    at = np.flatnonzero((ids[:-1] == a) & (ids[1:] == b))
    if a == b and at.size:  # in a run "a a a" only the 1st, 3rd ... pairs merge
        run_start = np.concatenate(([True], np.diff(at) != 1))
        starts = np.maximum.accumulate(np.where(run_start, at, 0))
        at = at[(at - starts) % 2 == 0]
    out = ids.copy()
    out[at] = new
    keep = np.ones(ids.size, bool)
    keep[at + 1] = False
    return out[keep]


@dataclass(frozen=True)
class BPETokenizer:
    """Byte-pair encoding over characters: start from one token per character, then apply
    the learned merges in the order they were learned (minbpe's basic tokenizer).

    Attributes:
        chars: the base characters (ids 0..C-1).
        merges: ``(left, right)`` token pairs; merge k makes id C + k.
        steps: the training record (:class:`Merge` per step), when trained here.
    """

    chars: tuple[str, ...]
    merges: tuple[tuple[str, str], ...]
    steps: tuple[Merge, ...] = ()
    kind = "bpe"
    vocab: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Token texts by id: the characters, then each merge's result."""
    _pairs: list[tuple[int, int]] = field(init=False, repr=False, compare=False)
    _chars: CharTokenizer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vocab = list(self.chars) + [a + b for a, b in self.merges]
        index = {t: i for i, t in enumerate(vocab)}
        pairs = [(index[a], index[b]) for a, b in self.merges]
        object.__setattr__(self, "vocab", tuple(vocab))
        object.__setattr__(self, "_pairs", pairs)
        object.__setattr__(self, "_chars", CharTokenizer(self.chars))

    def encode(self, text: str) -> np.ndarray:
        """Character ids, then every merge in order over the whole sequence.

        Raises:
            DatasetError: a character outside the vocabulary (quoted).
        """
        ids = self._chars.encode(text)
        for k, (a, b) in enumerate(self._pairs):
            if ids.size < 2:
                break
            ids = _merge(ids, a, b, len(self.chars) + k)
        return ids

    def decode(self, ids: Any) -> str:
        return "".join(self.token(int(i)) for i in np.ravel(ids))

    def token(self, i: int) -> str:
        return self.vocab[i] if 0 <= i < len(self.vocab) else "?"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "chars": list(self.chars),
                "merges": [list(m) for m in self.merges]}


def train_bpe(text: str, merges: int, chars: tuple[str, ...] | None = None
              ) -> tuple[BPETokenizer, np.ndarray]:
    """Learn ``merges`` merges on ``text``: each step joins the most frequent adjacent pair
    of tokens (ties: the lowest ids) into a new token. Returns the tokenizer (with its
    step-by-step record) and ``text`` encoded by it.

    Args:
        text: what to learn from.
        merges: how many merges (it stops early when no pair occurs twice).
        chars: the base characters (default: those of ``text``; pass a superset to encode
            other text with characters ``text`` lacks).
    """
    base = CharTokenizer(chars or tuple(sorted(set(text))))
    ids = base.encode(text)
    vocab: list[str] = list(base.vocab)
    learned: list[tuple[str, str]] = []
    steps: list[Merge] = []
    for _ in range(int(merges)):
        if ids.size < 2:
            break
        n = len(vocab)
        counts = np.bincount(ids[:-1] * n + ids[1:], minlength=n * n)  # pair (a, b) at a·n+b
        best = int(counts.argmax())
        if counts[best] < 2:
            break
        a, b = divmod(best, n)
        ids = _merge(ids, a, b, n)
        learned.append((vocab[a], vocab[b]))
        vocab.append(vocab[a] + vocab[b])
        steps.append(Merge(vocab[a], vocab[b], n, int(counts[best]), int(ids.size), n + 1))
    return BPETokenizer(base.vocab, tuple(learned), tuple(steps)), ids


Tokenizer = CharTokenizer | BPETokenizer


def _strings(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(c, str) for c in v)


def tokenizer_from_dict(d: Any) -> Tokenizer:
    """The tokenizer a ``to_dict`` wrote.

    Raises:
        DatasetError: not a tokenizer dict this version knows.
    """
    if isinstance(d, dict) and d.get("kind") == "char" and _strings(d.get("vocab")):
        return CharTokenizer(tuple(d["vocab"]))
    if (isinstance(d, dict) and d.get("kind") == "bpe" and _strings(d.get("chars"))
            and isinstance(d.get("merges"), list)
            and all(_strings(m) and len(m) == 2 for m in d["merges"])):
        try:
            return BPETokenizer(tuple(d["chars"]), tuple((a, b) for a, b in d["merges"]))
        except KeyError:
            pass  # a merge of tokens that do not exist
    raise DatasetError(f"not a tokenizer this nntui can read: {str(d)[:120]}")


def tokenizer_of(meta: dict[str, Any]) -> Tokenizer:
    """A language dataset's tokenizer (``meta["tokenizer"]``, or its ``vocab``)."""
    tok = meta.get("tokenizer")
    if isinstance(tok, CharTokenizer | BPETokenizer):
        return tok
    return CharTokenizer(tuple(meta["vocab"]))
