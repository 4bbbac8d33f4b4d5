"""Tokenizers: the byte-pair encoding against a plain Python reference (minbpe's loop),
round trips, the saved form, and text datasets cut by either tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.data.tokenizers import (
    BPETokenizer,
    CharTokenizer,
    tokenizer_from_dict,
    train_bpe,
)
from nntui.errors import DatasetError

TEXT = "the cat sat on the mat; the cats sat on the mats. aaaa bbb " * 7


def reference_bpe(text: str, merges: int) -> tuple[list[tuple[str, str]], list[int]]:
    """minbpe's basic training loop, written plainly (ties: the smallest pair of ids)."""
    vocab = sorted(set(text))
    ids = [vocab.index(c) for c in text]
    learned = []
    for _ in range(merges):
        counts: dict[tuple[int, int], int] = {}
        for pair in zip(ids[:-1], ids[1:], strict=True):
            counts[pair] = counts.get(pair, 0) + 1
        if not counts or max(counts.values()) < 2:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        new, out, i = len(vocab), [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == best:
                out.append(new)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        learned.append((vocab[best[0]], vocab[best[1]]))
        vocab.append(vocab[best[0]] + vocab[best[1]])
        ids = out
    return learned, ids


def test_bpe_learns_the_reference_merges_and_encodes_as_it_trained() -> None:
    tok, ids = train_bpe(TEXT, 30)
    learned, want = reference_bpe(TEXT, 30)
    assert list(tok.merges) == learned
    np.testing.assert_array_equal(ids, want)
    np.testing.assert_array_equal(tok.encode(TEXT), ids)
    assert tok.decode(ids) == TEXT
    assert [s.length for s in tok.steps][-1] == len(ids)
    assert [s.vocab for s in tok.steps] == list(range(len(set(TEXT)) + 1,
                                                      len(set(TEXT)) + 31))


def test_runs_of_one_character_merge_left_to_right() -> None:
    tok, ids = train_bpe("aaaaa", 1)
    assert tok.merges == (("a", "a"),) and tok.decode(ids) == "aaaaa"
    assert [tok.token(int(i)) for i in ids] == ["aa", "aa", "a"]


def test_the_saved_form_rebuilds_the_same_tokenizer() -> None:
    tok, _ = train_bpe(TEXT, 12)
    again = tokenizer_from_dict(tok.to_dict())
    assert isinstance(again, BPETokenizer) and again.vocab == tok.vocab
    np.testing.assert_array_equal(again.encode("the mats"), tok.encode("the mats"))
    chars = CharTokenizer(("a", "b"))
    assert tokenizer_from_dict(chars.to_dict()) == chars
    for bad in ({"kind": "bpe", "chars": ["a"], "merges": [["a", "z"]]}, {"kind": "x"}, 3):
        with pytest.raises(DatasetError, match="not a tokenizer"):
            tokenizer_from_dict(bad)
    with pytest.raises(DatasetError, match="'é' is not in the vocabulary"):
        tok.encode("thé")


def test_a_text_dataset_cut_by_bpe_is_shorter_and_decodes_back(tmp_path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TEXT * 4)
    chars = load_dataset("text", path=str(path), block_size=8)
    bpe = load_dataset("text", path=str(path), block_size=8, tokenizer="bpe", merges=25)
    assert bpe.num_classes == chars.num_classes + 25
    assert bpe.meta["tokens"] < chars.meta["tokens"] / 2
    tok = bpe.meta["tokenizer"]
    window = tok.decode(np.concatenate([bpe.x_test[0], bpe.y_test[0][-1:]]))
    assert window in TEXT * 5
    with pytest.raises(DatasetError, match="tokenizer must be one of char, bpe"):
        load_dataset("text", path=str(path), tokenizer="words")
