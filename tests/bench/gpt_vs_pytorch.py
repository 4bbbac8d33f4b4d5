"""The gpt-shakespeare preset in nntui beside the same model in PyTorch, trained with the
same settings: the same initial weights, windows, batches in the same order, Adam and
clip; validation loss (nats per character) on the same held-out windows, and the time.

    python -m tests.bench.gpt_vs_pytorch --data-dir ../shared/datasets/tinyshakespeare
    python -m tests.bench.gpt_vs_pytorch --only pytorch --set train.epochs=2

PyTorch runs with 2 threads; nntui with the BLAS threads ``nntui train`` would choose.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", default="../shared/datasets/tinyshakespeare")
    p.add_argument("--set", action="append", default=[], help="a preset override")
    p.add_argument("--only", choices=("nntui", "pytorch"))
    p.add_argument("--threads", type=int, default=2, help="PyTorch's intra-op threads")
    args = p.parse_args()

    import torch

    from nntui.architectures import build_session
    from nntui.commands.torch_gpt import mean_loss, torch_twin, train_twin
    from nntui.engine.threads import training_threads
    from nntui.presets import load_preset

    spec = load_preset("gpt-shakespeare", [f"dataset.data_dir='{args.data_dir}'", *args.set])
    session = build_session(spec)
    t = spec.train
    twin = torch_twin(session.model)  # the same initial weights
    print(f"{spec.name}: {session.model.count_params():,} parameters, {len(session.x_train)} "
          f"windows of {session.x_train.shape[1]}, {t.epochs} epochs of batch {t.batch_size}, "
          f"Adam {t.learning_rate}, clip {t.clipnorm}", flush=True)
    if args.only != "pytorch":
        t0 = time.perf_counter()
        with training_threads(headless=True):
            history = session.trainer(snapshot_every=0, on_divergence="raise").run()
        took = time.perf_counter() - t0
        print(f"nntui:   val_loss {history.history['val_loss'][-1]:.4f} nats/char "
              f"(per epoch {np.round(history.history['val_loss'], 4).tolist()}) "
              f"in {took:.0f} s", flush=True)
    if args.only != "nntui":
        torch.set_num_threads(args.threads)
        t0 = time.perf_counter()
        losses = train_twin(twin, session.x_train, session.y_train, batch_size=t.batch_size,
                            epochs=t.epochs, lr=t.learning_rate, clipnorm=t.clipnorm or None,
                            seed=t.seed)
        took = time.perf_counter() - t0
        val = mean_loss(twin, session.x_val, session.y_val)
        print(f"PyTorch: val_loss {val:.4f} nats/char (last step loss {losses[-1]:.4f}) "
              f"in {took:.0f} s ({args.threads} threads)", flush=True)


if __name__ == "__main__":
    main()
