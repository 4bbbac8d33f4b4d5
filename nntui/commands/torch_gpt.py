"""The GPT of ``nntui.architectures.gpt`` in PyTorch, from the same weights: the reference
that ``nntui bench --model gpt`` times and that the parity tests and the preset's
validation-loss comparison train beside nntui.

:func:`torch_twin` copies an nntui GPT's weights into :class:`TorchGPT` (nntui keeps
Keras's layouts: a Dense kernel is ``(in, out)``, torch's ``Linear.weight`` its
transpose; attention kernels are ``(D, H, k)`` and ``(H, dv, D)``). The blocks are
the same pre-LN blocks (LayerNorm ε = 1e-3, ReLU feed-forward), with PyTorch's
fused ``scaled_dot_product_attention`` for the heads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, key_dim: int, ff_dim: int, eps: float) -> None:
        super().__init__()
        self.heads, self.key_dim = heads, key_dim
        self.ln1, self.ln2 = nn.LayerNorm(dim, eps=eps), nn.LayerNorm(dim, eps=eps)
        self.q, self.k, self.v = (nn.Linear(dim, heads * key_dim) for _ in range(3))
        self.o = nn.Linear(heads * key_dim, dim)
        self.ff1, self.ff2 = nn.Linear(dim, ff_dim), nn.Linear(ff_dim, dim)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        n, t, _ = x.shape
        return x.view(n, t, self.heads, self.key_dim).transpose(1, 2)  # (N, H, T, k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.ln1(x)
        q, k, v = self._heads(self.q(a)), self._heads(self.k(a)), self._heads(self.v(a))
        c = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (N, H, T, k)
        x = x + self.o(c.transpose(1, 2).reshape(x.shape[0], x.shape[1], -1))
        return x + self.ff2(F.relu(self.ff1(self.ln2(x))))


class TorchGPT(nn.Module):
    """Embeddings, blocks, final LayerNorm, logits (softmax lives in the loss)."""

    def __init__(self, vocab: int, context: int, dim: int, heads: int, key_dim: int,
                 ff_dim: int, blocks: int, eps: float = 1e-3) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(context, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, key_dim, ff_dim, eps)
                                    for _ in range(blocks))
        self.ln = nn.LayerNorm(dim, eps=eps)
        self.out = nn.Linear(dim, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tok(ids) + self.pos[: ids.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.out(self.ln(x))  # (N, T, V) logits


def _linear(layer: nn.Linear, kernel: np.ndarray, bias: np.ndarray) -> None:
    layer.weight.copy_(torch.from_numpy(kernel.reshape(kernel.shape[0], -1).T.copy()))
    layer.bias.copy_(torch.from_numpy(bias.reshape(-1).copy()))


def _block_pairs(block: Block) -> Iterator[tuple[nn.Module, str]]:
    yield from ((block.q, "attn/query"), (block.k, "attn/key"), (block.v, "attn/value"),
                (block.o, "attn/attention_output"), (block.ff1, "ff1"), (block.ff2, "ff2"))


@torch.no_grad()
def torch_twin(model: Any) -> TorchGPT:
    """A :class:`TorchGPT` holding ``model``'s current weights (an nntui GPT, see
    :func:`nntui.architectures.gpt.gpt_layers`)."""
    w = model.named_weights()
    blocks = [ly for ly in model.layers if type(ly).__name__ == "TransformerBlock"]
    first = blocks[0]
    vocab, dim = w["token_embedding/embeddings"].shape
    twin = TorchGPT(vocab, w["position_embedding/embeddings"].shape[0], dim, first.num_heads,
                    first.key_dim, first.ff_dim, len(blocks), first.epsilon)
    twin.tok.weight.copy_(torch.from_numpy(w["token_embedding/embeddings"]))
    twin.pos.copy_(torch.from_numpy(w["position_embedding/embeddings"]))
    for layer, block in zip(blocks, list(twin.blocks), strict=True):
        assert isinstance(block, Block)
        p = f"{layer.name}/"
        for ln, name in ((block.ln1, "ln1"), (block.ln2, "ln2")):
            ln.weight.copy_(torch.from_numpy(w[f"{p}{name}/gamma"]))
            ln.bias.copy_(torch.from_numpy(w[f"{p}{name}/beta"]))
        for lin, name in _block_pairs(block):
            kernel = w[f"{p}{name}/kernel"]
            if name == "attn/attention_output":
                kernel = kernel.reshape(-1, kernel.shape[-1])  # (H, dv, D) -> (H·dv, D)
            _linear(lin, kernel, w[f"{p}{name}/bias"])  # type: ignore[arg-type]
    twin.ln.weight.copy_(torch.from_numpy(w["final_norm/gamma"]))
    twin.ln.bias.copy_(torch.from_numpy(w["final_norm/beta"]))
    _linear(twin.out, w["output/kernel"], w["output/bias"])
    return twin


def keras_adam(params: Any, lr: float, clipnorm: float | None) -> torch.optim.Optimizer:
    """torch's Adam with Keras's ε (1e-7), as nntui's; the clip is applied by the loop."""
    return torch.optim.Adam(params, lr=lr, eps=1e-7)


def train_twin(twin: TorchGPT, x: np.ndarray, y: np.ndarray, *, batch_size: int,
               epochs: int, lr: float, clipnorm: float | None, seed: int) -> list[float]:
    """nntui's loop in PyTorch: the same shuffles (``default_rng(seed).permutation`` per
    epoch), batches, Adam and global-norm clip; returns each step's loss."""
    opt = keras_adam(twin.parameters(), lr, clipnorm)
    rng = np.random.default_rng(seed)
    xt, yt = torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))
    losses = []
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(x)))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            logits = twin(xt[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yt[idx].reshape(-1))
            loss.backward()
            if clipnorm:
                nn.utils.clip_grad_norm_(twin.parameters(), clipnorm)
            opt.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def mean_loss(twin: TorchGPT, x: np.ndarray, y: np.ndarray, batch: int = 256) -> float:
    """Mean cross-entropy (nats per token) over every position of ``x``."""
    total, count = 0.0, 0
    for s in range(0, len(x), batch):
        logits = twin(torch.from_numpy(x[s:s + batch].astype(np.int64)))
        target = torch.from_numpy(y[s:s + batch].astype(np.int64)).reshape(-1)
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target,
                                       reduction="sum"))
        count += target.numel()
    return total / count
