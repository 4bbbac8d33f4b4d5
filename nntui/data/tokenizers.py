"""Tokenizers: how text becomes the ids a language model reads, and back.

:class:`CharTokenizer` gives each distinct character an id (sorted order).
Both kinds save to and load from a small JSON-able dict (:meth:`to_dict`,
:func:`tokenizer_from_dict`), which a language model's checkpoint carries so a run
can write text without its dataset (``nntui generate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.errors import DatasetError


@dataclass(frozen=True)
class CharTokenizer:
    """One id per character: ``vocab[i]`` is the character of id i."""

    vocab: tuple[str, ...]
    kind = "char"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stoi", {c: i for i, c in enumerate(self.vocab)})

    @property
    def stoi(self) -> dict[str, int]:
        return self._stoi  # type: ignore[attr-defined, no-any-return]

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


Tokenizer = CharTokenizer


def tokenizer_from_dict(d: Any) -> Tokenizer:
    """The tokenizer a :meth:`to_dict` wrote.

    Raises:
        DatasetError: not a tokenizer dict this version knows.
    """
    if isinstance(d, dict) and d.get("kind") == "char" and isinstance(d.get("vocab"), list) \
            and all(isinstance(c, str) for c in d["vocab"]):
        return CharTokenizer(tuple(d["vocab"]))
    raise DatasetError(f"not a tokenizer this nntui can read: {str(d)[:120]}")


def tokenizer_of(meta: dict[str, Any]) -> Tokenizer:
    """A language dataset's tokenizer (``meta["tokenizer"]``, or its ``vocab``)."""
    tok = meta.get("tokenizer")
    if tok is not None:
        return tok  # type: ignore[no-any-return]
    return CharTokenizer(tuple(meta["vocab"]))
