"""The GPT against PyTorch from the same weights: probabilities, every gradient, and a
few Adam steps on the same batches (the oracle for the whole model, blocks included)."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.architectures.gpt import gpt_layers
from nntui.engine.model import Sequential

torch = pytest.importorskip("torch")
from nntui.commands.torch_gpt import mean_loss, torch_twin, train_twin  # noqa: E402

V, T, D, H, BLOCKS = 11, 8, 16, 2, 2


def tiny_gpt(seed: int = 0) -> Sequential:
    model = Sequential(gpt_layers(V, T, D, H, D // H, 4 * D, BLOCKS), backend="numpy",
                       seed=seed)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.build()
    return model


def batch(n: int = 6, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    ids = np.random.default_rng(seed).integers(0, V, (n, T + 1))
    return ids[:, :-1], ids[:, 1:]


def test_probabilities_and_every_gradient_match_pytorch_autograd() -> None:
    model, (x, y) = tiny_gpt(), batch()
    twin = torch_twin(model)
    probs = model.forward(x, training=True)
    _, grad, fused = model.compute_loss_and_grad(y, probs)
    model.backward(grad, fused=fused)
    logits = twin(torch.from_numpy(x))
    np.testing.assert_allclose(probs, torch.softmax(logits, -1).detach().numpy(), atol=2e-6)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.from_numpy(y).reshape(-1))
    loss.backward()
    ours = {f"{ly.name}/{k}": g for ly in model.layers for k, g in ly.grads.items()}
    block = twin.blocks[1]
    pairs = {  # nntui name -> the torch gradient in nntui's layout
        "token_embedding/embeddings": twin.tok.weight.grad,
        "position_embedding/embeddings": twin.pos.grad,
        "block_2/ln1/gamma": block.ln1.weight.grad,
        "block_2/attn/query/kernel": block.q.weight.grad.T.reshape(D, H, D // H),
        "block_2/attn/value/bias": block.v.bias.grad.reshape(H, D // H),
        "block_2/attn/attention_output/kernel": block.o.weight.grad.T.reshape(H, D // H, D),
        "block_1/attn/key/kernel": twin.blocks[0].k.weight.grad.T.reshape(D, H, D // H),
        "block_1/ff1/kernel": twin.blocks[0].ff1.weight.grad.T,
        "final_norm/beta": twin.ln.bias.grad,
        "output/kernel": twin.out.weight.grad.T,
    }
    for name, theirs in pairs.items():
        np.testing.assert_allclose(ours[name], theirs.numpy(), rtol=1e-4, atol=2e-6,
                                   err_msg=name)


def test_adam_steps_on_the_same_batches_give_the_same_losses() -> None:
    model = tiny_gpt(seed=3)
    twin = torch_twin(model)
    x, y = batch(64, seed=2)
    from nntui.engine.trainer import Trainer

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    losses = []
    trainer = Trainer(model, x, y, batch_size=16, epochs=3, seed=5)
    trainer.subscribe(lambda e: losses.append(e.metrics["loss"])
                      if type(e).__name__ == "StepCompleted" else None)
    trainer.run()
    theirs = train_twin(twin, x, y, batch_size=16, epochs=3, lr=1e-3, clipnorm=None, seed=5)
    assert losses[-1] < losses[0] - 0.05  # it learned something, so the match means more
    np.testing.assert_allclose(losses, theirs, rtol=2e-4)
    np.testing.assert_allclose(mean_loss(twin, x, y),
                               model.evaluate_arrays(x, y)["loss"], rtol=2e-4)
