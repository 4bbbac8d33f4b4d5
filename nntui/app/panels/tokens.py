"""How text becomes tokens: the written text cut into its tokens, and for a byte-pair
encoding the merges it learned, step by step, with the vocabulary growing as the
sequence shrinks (views of the GPT panel)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from nntui.viz.line_chart import LineChart

TOKEN_STYLES = ("on #2a4d69", "on #4b3f72", "on #1e5631", "on #6b3e26")
"""Background of each token in turn, so neighbours are told apart."""
MERGES_PER_PAGE = 8


def visible(token: str) -> str:
    """A token as it is drawn: a newline as ↵ (then the line breaks), a space as ·."""
    return token.replace(" ", "·").replace("\n", "↵\n")


def tokens_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    """The prompt and the sample, token by token in alternating colours."""
    kind = "characters" if extras["tokenizer"] == "char" else "byte-pair encoding"
    head = Text(f"{kind}: {extras['vocab_size']} tokens in the vocabulary, "
                f"{extras['chars_per_token']:.2f} characters per token on the text",
                style="dim")
    body = Text()
    for i, token in enumerate(extras["tokens"]):
        body.append(visible(token), style=TOKEN_STYLES[i % len(TOKEN_STYLES)])
    return Group(head, body)


def merges_view(extras: dict[str, Any], page: int, width: int, height: int
                ) -> RenderableType:
    """``MERGES_PER_PAGE`` merges from page ``page`` on, then length against vocabulary."""
    merges = extras["merges"]
    if not merges:
        return Text("one token per character: no merges (dataset.tokenizer = 'bpe' learns "
                    "them)", style="dim")
    pages = -(-len(merges) // MERGES_PER_PAGE)
    first = (page % pages) * MERGES_PER_PAGE
    lines = [Text(f"merges {first + 1}-{min(first + MERGES_PER_PAGE, len(merges))} of "
                  f"{len(merges)} (m: next)", style="dim")]
    for k, (left, right, count, length, vocab) in enumerate(
            merges[first:first + MERGES_PER_PAGE], start=first + 1):
        line = Text(f"{k:4d}. ")
        line.append(visible(left).replace("\n", ""), style="bold")
        line.append(" + ")
        line.append(visible(right).replace("\n", ""), style="bold")
        line.append(f"  seen {count:,} times → vocabulary {vocab}, text {length:,} tokens",
                    style="dim")
        lines.append(line)
    rows = max(3, height - len(lines) - 1)
    vocab = [m[4] for m in merges]
    chart = LineChart({"text length (tokens)": (vocab, [m[3] for m in merges])}, width=width,
                      height=rows, title="sequence length against vocabulary size")
    return Group(*lines, chart)
