"""The reference models of ``nntui bench`` in nntui, PyTorch, Keras 3 and scikit-learn.

Each ``make_*`` returns a callable that trains one epoch over (x, y) with the call a
user of that library writes: ``model.fit(x, y, batch_size, epochs=1, verbose=0)`` for
nntui and Keras 3 (torch backend), ``MLPClassifier(max_iter=1, warm_start=True).fit``
for scikit-learn, and for PyTorch the plain idiomatic loop (a random permutation,
tensor slicing, no DataLoader; zero_grad, loss, backward, step). ``verbose=0`` on both
fit calls: a progress bar measures the terminal, not the library. The GAN has no
``fit``: it runs the trainer as ``nntui train`` does. The other frameworks are
optional: a missing one is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

Runner = Callable[[], Any]
GPT = {"vocab": 65, "context": 64, "dim": 128, "heads": 4, "blocks": 3}
"""The gpt-shakespeare preset's model (a sample is one window of 64 characters)."""
SNAPSHOT_EVERY = 20
SNAPSHOT_SUFFIX = f"-snap{SNAPSHOT_EVERY}"


def make_runners(model: str, x: np.ndarray, y: np.ndarray, batch: int, backends: list[str],
                 compare: bool) -> dict[str, Runner]:
    runners: dict[str, Runner] = {}
    for i, backend in enumerate(backends):
        runners[f"nntui-{backend}"] = make_nntui(model, x, y, batch, backend)
        if i == 0 and model == "mlp":  # what the dashboard's snapshots cost (every 20 steps)
            # right after the same model without them: a NumPy epoch measured ~4 % slower
            # just after an MLX one than after a NumPy one, which biased this ratio
            runners[f"nntui-{backend}{SNAPSHOT_SUFFIX}"] = make_nntui(
                model, x, y, batch, backend, snapshot_every=SNAPSHOT_EVERY)
    if model == "mlp" and "numpy" in backends:  # nntui's MLPClassifier beside scikit-learn's
        runners["nntui-estimator"] = make_estimator(x, y, batch)
    if not compare:
        return runners
    makers: tuple[tuple[str, Callable[..., Runner | None]], ...] = (
        ("pytorch", make_torch), ("pytorch-1t", make_torch_1t), ("keras", make_keras),
        ("sklearn", make_sklearn))
    for name, maker in makers:
        try:
            runner = maker(model, x, y, batch)
        except ImportError:
            continue
        if runner is not None:
            runners[name] = runner
    return runners


# nntui ---------------------------------------------------------------------------
def nntui_model(model: str, backend: str) -> Any:
    import nntui
    from nntui import layers as L
    from nntui.engine.gan import GAN

    if model == "mlp":
        m = nntui.Sequential([nntui.Input((784,)), L.Dense(256, activation="relu"),
                              L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                             backend=backend, seed=0)
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return m
    if model == "cnn":
        m = nntui.Sequential([nntui.Input((28, 28, 1)), L.Conv2D(8, 3, activation="relu"),
                              L.MaxPooling2D(2), L.Conv2D(16, 3, activation="relu"),
                              L.MaxPooling2D(2), L.Flatten(), L.Dense(10, activation="softmax")],
                             backend=backend, seed=0)
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return m
    if model == "lstm":
        m = nntui.Sequential([nntui.Input((50, 1)), L.LSTM(64), L.Dense(1)], backend=backend,
                             seed=0)
        m.compile(optimizer="adam", loss="mse")
        return m
    if model == "gpt":
        return gpt_model(backend)
    g = nntui.Sequential([nntui.Input((32,)), L.Dense(128, activation="relu"),
                          L.Dense(784, activation="tanh")], backend=backend, seed=0)
    d = nntui.Sequential([nntui.Input((784,)), L.Dense(128, activation="leaky_relu"),
                          L.Dense(1, activation="sigmoid")], backend=backend, seed=1)
    g.build()
    d.build()
    gan = GAN(g, d, 32, seed=0)
    gan.compile("adam", "adam")
    return gan


def gpt_model(backend: str) -> Any:
    """The gpt-shakespeare preset's model (nntui.commands.bench.GPT)."""
    import nntui
    from nntui.architectures.gpt import gpt_layers

    d, h = GPT["dim"], GPT["heads"]
    m = nntui.Sequential(gpt_layers(GPT["vocab"], GPT["context"], d, h, d // h, 4 * d,
                                    GPT["blocks"]), backend=backend, seed=0)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    m.build()
    return m


def make_nntui(model: str, x: np.ndarray, y: np.ndarray, batch: int, backend: str,
               snapshot_every: int = 0) -> Runner:
    """``model.fit(x, y, batch_size=batch, epochs=1, verbose=0)``: what a user's script calls.

    The GAN (no ``fit``) and the snapshot runner (what the dashboard's snapshots cost)
    run the trainer with ``nntui train``'s thread setting, as ``fit`` does inside.
    """
    m = nntui_model(model, backend)
    if model != "gan" and not snapshot_every:
        return lambda: m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    from nntui.engine.threads import step_threads, training_threads
    from nntui.engine.trainer import Trainer

    rng = np.random.default_rng(0)
    taken: list[Any] = []
    chooser = step_threads()  # as fit and `nntui train` choose BLAS threads

    def epoch() -> None:
        trainer = Trainer(m, x, y, batch_size=batch, epochs=1, seed=int(rng.integers(1 << 30)),
                          snapshot_every=snapshot_every)
        trainer.blas_threads = chooser
        if snapshot_every:  # a subscriber keeps the latest, as the dashboard does
            trainer.subscribe(lambda e: taken.append(e) if type(e).__name__ == "SnapshotTaken"
                              else None)
            del taken[:-1]
        with training_threads(headless=True):  # as `nntui train` and `fit` run (threads.py)
            trainer.run()

    return epoch


# PyTorch ---------------------------------------------------------------------------
def make_torch(model: str, x: np.ndarray, y: np.ndarray, batch: int, threads: int = 2) -> Runner:
    """PyTorch's epoch with ``threads`` intra-op threads (set again at every epoch, since
    the 2-thread and 1-thread runners interleave in one process)."""
    import torch

    run = _make_torch(model, x, y, batch)

    def epoch() -> None:
        torch.set_num_threads(threads)
        run()

    return epoch


def make_torch_1t(model: str, x: np.ndarray, y: np.ndarray, batch: int) -> Runner:
    """PyTorch with one thread: the same thread count nntui trains with on 2-core machines."""
    return make_torch(model, x, y, batch, threads=1)


def _make_torch(model: str, x: np.ndarray, y: np.ndarray, batch: int) -> Runner:
    import torch
    from torch import nn

    torch.manual_seed(0)
    if model == "cnn":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NHWC -> NCHW once, outside timing
    xt = torch.from_numpy(x)
    if model == "gpt":
        return _torch_gpt(xt, torch.from_numpy(y), batch)
    if model == "gan":
        return _torch_gan(xt, batch)
    if model == "lstm":
        yt = torch.from_numpy(y.astype(np.float32))

        class Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm, self.out = nn.LSTM(1, 64, batch_first=True), nn.Linear(64, 1)

            def forward(self, s: Any) -> Any:
                return self.out(self.lstm(s)[0][:, -1])

        net: nn.Module = Net()
        loss_fn: Any = nn.MSELoss()
    else:
        yt = torch.from_numpy(y.astype(np.int64))
        net = (nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10)) if model == "mlp" else
               nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10)))
        loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def epoch() -> None:
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return epoch


def _torch_gpt(xt: Any, yt: Any, batch: int) -> Runner:
    """The same GPT from the same initial weights (nntui.commands.torch_gpt), Adam."""
    import torch
    from torch.nn import functional as F  # noqa: N812

    from nntui.commands.torch_gpt import torch_twin

    net = torch_twin(gpt_model("numpy"))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)

    def epoch() -> None:
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            logits = net(xt[idx])
            F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yt[idx].reshape(-1)).backward()
            opt.step()

    return epoch


def _torch_gan(xt: Any, batch: int) -> Runner:
    import torch
    from torch import nn

    g = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784), nn.Tanh())
    d = nn.Sequential(nn.Linear(784, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
    og, od = torch.optim.Adam(g.parameters(), 1e-3), torch.optim.Adam(d.parameters(), 1e-3)
    bce = nn.BCEWithLogitsLoss()

    def epoch() -> None:
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            real = xt[perm[i:i + batch]]
            n = len(real)
            ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
            od.zero_grad()
            fake = g(torch.randn(n, 32)).detach()
            (0.5 * (bce(d(real), ones) + bce(d(fake), zeros))).backward()
            od.step()
            og.zero_grad()
            bce(d(g(torch.randn(n, 32))), ones).backward()
            og.step()

    return epoch


# Keras 3 (torch backend, what course snippets run on) ---------------------------------
def make_keras(model: str, x: np.ndarray, y: np.ndarray, batch: int) -> Runner | None:
    if model not in ("mlp", "cnn"):
        return None
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    if model == "mlp":
        net = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                                keras.layers.Dense(128, activation="relu"),
                                keras.layers.Dense(10, activation="softmax")])
    else:
        net = keras.Sequential([keras.Input((28, 28, 1)),
                                keras.layers.Conv2D(8, 3, activation="relu"),
                                keras.layers.MaxPooling2D(2),
                                keras.layers.Conv2D(16, 3, activation="relu"),
                                keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                                keras.layers.Dense(10, activation="softmax")])
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    def epoch() -> None:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)  # torch's default, as a course runs Keras
        net.fit(x, y, batch_size=batch, epochs=1, verbose=0)

    return epoch


# scikit-learn ------------------------------------------------------------------------
def make_sklearn(model: str, x: np.ndarray, y: np.ndarray, batch: int) -> Runner | None:
    """``MLPClassifier.fit`` for one epoch (``max_iter=1``), continuing from the last call
    (``warm_start=True``), as nntui's and Keras's ``fit`` continue; its convergence warning
    about the single epoch is silenced."""
    if model != "mlp":
        return None
    from sklearn.neural_network import MLPClassifier

    return _estimator_epochs(MLPClassifier, x, y, batch)


def make_estimator(x: np.ndarray, y: np.ndarray, batch: int) -> Runner:
    """nntui's MLPClassifier, set up and called exactly as the scikit-learn runner."""
    from nntui.neural_network import MLPClassifier

    return _estimator_epochs(MLPClassifier, x, y, batch)


def _estimator_epochs(cls: Any, x: np.ndarray, y: np.ndarray, batch: int) -> Runner:
    """One epoch per call: ``fit`` with ``max_iter=1`` and ``warm_start=True`` (float32
    data stays float32 in both)."""
    import warnings

    clf = cls(hidden_layer_sizes=(256, 128), batch_size=batch, solver="adam",
              learning_rate_init=1e-3, max_iter=1, warm_start=True, random_state=0)

    def epoch() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(x, y)

    return epoch
