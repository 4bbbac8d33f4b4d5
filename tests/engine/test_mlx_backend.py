"""MLX backend: the explicit backward agrees with MLX's own autograd (``mx.grad``).

Each oracle writes the layer's forward again from scratch with ``mlx.core`` ops, as a
function of the parameters, and differentiates it; the layer's hand-written backward
on the MLX backend must give the same gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core")

import nntui  # noqa: E402
from nntui.engine.backend import get_backend  # noqa: E402
from nntui.engine.backend.mlx import MlxBackend  # noqa: E402
from nntui.engine.layers import get_layer_class  # noqa: E402
from nntui.errors import ConfigError  # noqa: E402
from nntui.layers import Dense  # noqa: E402
from tests.engine.gradcheck import rel_error  # noqa: E402

MX = get_backend("mlx")
TOL = 1e-4

ORACLE_ACT: dict[str, Callable[[Any], Any]] = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + mx.exp(-z)),
    "tanh": mx.tanh,
    "relu": lambda z: mx.maximum(z, 0.0),
    "leaky_relu": lambda z: mx.where(z > 0, z, 0.2 * z),
    "elu": lambda z: mx.where(z > 0, z, mx.exp(mx.minimum(z, 0.0)) - 1.0),
    "softplus": lambda z: mx.logaddexp(z, mx.zeros_like(z)),
    "exponential": mx.exp,
    "softmax": lambda z: mx.exp(z - mx.logsumexp(z, axis=-1, keepdims=True)),
    "binary_step": lambda z: mx.stop_gradient((z >= 0).astype(z.dtype)),
}


def _layer(name: str, input_shape: tuple[int, ...], **kwargs: Any) -> Any:
    layer = get_layer_class(name)(**kwargs)  # a missing layer fails, never skips
    layer.ops = MX
    layer.build(input_shape, np.random.default_rng(0))
    if "bias" in layer.params:  # non-zero biases, so their gradients are exercised
        b = np.random.default_rng(1).normal(0, 0.3, layer.params["bias"].shape)
        layer.params["bias"] = MX.asarray(b)
    return layer


def _check_layer(layer: Any, x: np.ndarray, oracle: Callable[[dict[str, Any], Any], Any]) -> None:
    """L = Σ(out ⊙ R): explicit backward vs mx.grad of ``oracle(params, x)``."""
    xb = MX.asarray(x)
    out = layer.forward(xb, training=False)
    r = MX.asarray(np.random.default_rng(2).standard_normal(tuple(out.shape)))
    layer.zero_grad()
    layer.forward(xb, training=False)
    gx = layer.backward(r)

    def loss(params: dict[str, Any], xin: Any) -> Any:
        return mx.sum(oracle(params, xin) * r)

    want_out = oracle(dict(layer.params), xb)
    assert rel_error(MX.to_numpy(out), MX.to_numpy(want_out)) < TOL, "forward"
    gp, gxx = mx.grad(loss, argnums=(0, 1))(dict(layer.params), xb)
    assert rel_error(MX.to_numpy(gx), MX.to_numpy(gxx)) < TOL, "input gradient"
    for k, g in gp.items():
        assert rel_error(MX.to_numpy(layer.grads[k]), MX.to_numpy(g)) < TOL, f"gradient of {k}"


@pytest.mark.parametrize("activation", sorted(ORACLE_ACT))
def test_dense_backward_matches_mx_grad(activation: str) -> None:
    layer = _layer("Dense", (5,), units=4, activation=activation)
    x = np.random.default_rng(3).standard_normal((6, 5)).astype(np.float32)
    act = ORACLE_ACT[activation]
    _check_layer(layer, x, lambda p, xin: act(xin @ p["kernel"] + p["bias"]))


def test_prelu_backward_matches_mx_grad() -> None:
    layer = _layer("PReLU", (3, 4), alpha_initializer="random_normal", shared_axes=[1])
    x = np.random.default_rng(3).standard_normal((5, 3, 4)).astype(np.float32)
    _check_layer(layer, x, lambda p, xin: mx.where(xin > 0, xin, p["alpha"] * xin))


@pytest.mark.parametrize(("strides", "padding"), [(1, "valid"), (2, "same"), ((1, 2), "same")])
def test_conv2d_backward_matches_mx_grad(strides: Any, padding: str) -> None:
    from nntui.engine.layers.conv import same_pads

    layer = _layer("Conv2D", (7, 6, 2), filters=3, kernel_size=(3, 2), strides=strides,
                   padding=padding, activation="relu")
    sh, sw = layer.strides
    pads = [(0, 0), (0, 0)] if padding == "valid" else [same_pads(7, 3, sh), same_pads(6, 2, sw)]

    def oracle(p: dict[str, Any], xin: Any) -> Any:
        xp = mx.pad(xin, [(0, 0), pads[0], pads[1], (0, 0)])
        w = mx.transpose(p["kernel"], (3, 0, 1, 2))  # (kh, kw, C, F) -> MLX's (F, kh, kw, C)
        return mx.maximum(mx.conv2d(xp, w, stride=(sh, sw)) + p["bias"], 0.0)

    x = np.random.default_rng(3).standard_normal((2, 7, 6, 2)).astype(np.float32)
    _check_layer(layer, x, oracle)


def _sig(z: Any) -> Any:
    return 1.0 / (1.0 + mx.exp(-z))


def _lstm_oracle(units: int, seq: bool) -> Callable[[dict[str, Any], Any], Any]:
    def run(p: dict[str, Any], xin: Any) -> Any:
        n, t, _ = xin.shape
        h = c = mx.zeros((n, units))
        hs = []
        for s in range(t):
            z = xin[:, s] @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"]
            i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))  # Keras: i, f, c, o
            c = _sig(f) * c + _sig(i) * mx.tanh(g)
            h = _sig(o) * mx.tanh(c)
            hs.append(h)
        return mx.stack(hs, axis=1) if seq else h
    return run


def _gru_oracle(units: int, seq: bool) -> Callable[[dict[str, Any], Any], Any]:
    def run(p: dict[str, Any], xin: Any) -> Any:
        n, t, _ = xin.shape
        h = mx.zeros((n, units))
        hs = []
        for s in range(t):
            gx = xin[:, s] @ p["kernel"] + p["bias"][0]  # Keras reset_after: z, r, h
            gh = h @ p["recurrent_kernel"] + p["bias"][1]
            z = _sig(gx[:, :units] + gh[:, :units])
            r = _sig(gx[:, units:2 * units] + gh[:, units:2 * units])
            hh = mx.tanh(gx[:, 2 * units:] + r * gh[:, 2 * units:])
            h = z * h + (1.0 - z) * hh
            hs.append(h)
        return mx.stack(hs, axis=1) if seq else h
    return run


def _rnn_oracle(units: int, seq: bool) -> Callable[[dict[str, Any], Any], Any]:
    def run(p: dict[str, Any], xin: Any) -> Any:
        h = mx.zeros((xin.shape[0], units))
        hs = []
        for s in range(xin.shape[1]):
            h = mx.tanh(xin[:, s] @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"])
            hs.append(h)
        return mx.stack(hs, axis=1) if seq else h
    return run


@pytest.mark.parametrize("seq", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_backward_matches_mx_grad(name: str, seq: bool) -> None:
    oracle = {"SimpleRNN": _rnn_oracle, "LSTM": _lstm_oracle, "GRU": _gru_oracle}[name]
    layer = _layer(name, (5, 3), units=4, return_sequences=seq)
    x = np.random.default_rng(3).standard_normal((2, 5, 3)).astype(np.float32)
    _check_layer(layer, x, oracle(4, seq))


# a whole model -------------------------------------------------------------------------
def _mlp(backend: str, head: str, seed: int = 0) -> Any:
    return nntui.Sequential([Dense(16, activation="relu", input_shape=(4,)),
                             Dense(8, activation="tanh"), Dense(3, activation=head)],
                            backend=backend, seed=seed)


def _oracle_loss(loss: str, heads: list[str]) -> Callable[[list[Any], Any, Any], Any]:
    eps = 1e-7

    def f(params: list[Any], x: Any, y: Any) -> Any:
        h = x
        for (w, b), act in zip(params, heads, strict=True):
            h = ORACLE_ACT[act](h @ w + b)
        if loss == "mse":
            return mx.mean((h - y) ** 2)
        p = mx.clip(h, eps, 1.0 - eps)
        if loss == "binary_crossentropy":
            return -mx.mean(y * mx.log(p + eps) + (1.0 - y) * mx.log(1.0 - p + eps))
        return -mx.mean(mx.sum(y * mx.log(p), axis=-1))
    return f


@pytest.mark.parametrize(("loss", "head"), [("categorical_crossentropy", "softmax"),
                                            ("binary_crossentropy", "sigmoid"),
                                            ("mse", "linear"), ("mse", "softmax")])
def test_mlp_gradients_match_mx_grad(loss: str, head: str) -> None:
    """Every parameter of an MLP, through the model's own loss gradient (fused or not)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((10, 4)).astype(np.float32)
    y = (np.eye(3, dtype=np.float32)[rng.integers(0, 3, 10)] if loss != "binary_crossentropy"
         else (rng.random((10, 3)) > 0.5).astype(np.float32))
    model = _mlp("mlx", head)
    model.compile(optimizer="sgd", loss=loss)
    model.build()
    xb, yb = MX.asarray(x), MX.asarray(y)
    for layer in model.layers:
        layer.zero_grad()
    pred = model.forward(xb, training=True)
    value, grad, fused = model.compute_loss_and_grad(yb, pred)
    model.backward(grad, fused=fused)
    assert fused == (loss != "mse")
    params = [[ly.params["kernel"], ly.params["bias"]] for ly in model.layers]
    f = _oracle_loss(loss, ["relu", "tanh", head])
    want_value, want = mx.value_and_grad(f)(params, xb, yb)
    assert abs(MX.item(value) - want_value.item()) < 1e-5
    for layer, (gw, gb) in zip(model.layers, want, strict=True):
        assert rel_error(MX.to_numpy(layer.grads["kernel"]), np.array(gw)) < TOL, layer.name
        assert rel_error(MX.to_numpy(layer.grads["bias"]), np.array(gb)) < TOL, layer.name


def _train_losses(backend: str) -> list[float]:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((300, 4)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)
    model = _mlp(backend, "softmax", seed=3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, batch_size=32, epochs=3, verbose=0, seed=5).history["loss"]


def test_same_seed_trains_alike_on_both_backends() -> None:
    a, b = _train_losses("numpy"), _train_losses("mlx")
    assert a[-1] < a[0]
    for la, lb in zip(a, b, strict=True):
        assert abs(la - lb) <= 0.01 * la


# the backend object ----------------------------------------------------------------------
def test_train_step_crosses_to_numpy_only_at_the_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    """No array comes back to NumPy inside a step (only scalar ``item`` reads)."""
    model = _mlp("mlx", "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.build()
    xb = MX.asarray(np.ones((4, 4), np.float32))
    yb = MX.asarray(np.array([0, 1, 2, 1]))
    calls: list[str] = []
    monkeypatch.setattr(MlxBackend, "to_numpy", lambda self, a: calls.append("to_numpy"))
    monkeypatch.setattr(MlxBackend, "asarray", lambda self, a, dtype=None: calls.append("asarray"))
    loss = model.train_step(xb, yb)
    assert np.isfinite(loss) and calls == []
    assert all(isinstance(p, mx.array) for ly in model.layers for p in ly.params.values())


def test_float64_runs_on_the_cpu_device() -> None:
    ops = MlxBackend("float64")
    a = ops.asarray(np.array([0.1, 0.2]))
    assert a.dtype == mx.float64 and ops.to_numpy(ops.exp(a)).dtype == np.float64
    np.testing.assert_array_equal(ops.to_numpy(a), [0.1, 0.2])


@pytest.mark.parametrize("dtype", ["int32", "float16", "complex64"])
def test_unsupported_dtype_is_a_config_error(dtype: str) -> None:
    with pytest.raises(ConfigError, match="dtype"):
        MlxBackend(dtype)


def test_asarray_keeps_integers_and_casts_floats() -> None:
    assert MX.asarray(np.arange(3)).dtype == mx.int64
    assert MX.asarray(np.zeros(3, np.float64)).dtype == mx.float32
    assert MX.asarray([True, False]).dtype == mx.bool_
    assert MX.asarray(np.zeros(2), "float64").dtype == mx.float64
    once = MX.asarray(np.arange(3.0))
    twice = MX.asarray(once)  # an MLX array passes through with its dtype and values
    assert twice.dtype == mx.float32 and MX.to_numpy(twice).tolist() == [0.0, 1.0, 2.0]
    assert MX.where(MX.asarray(np.ones(2)) > 0, 1.0, 0.0).dtype == mx.float32


def test_compile_fuses_a_pure_function() -> None:
    fn = MX.compile(lambda a, b: mx.tanh(a) * b + 1.0)
    a, b = MX.asarray(np.linspace(-2, 2, 5)), MX.asarray(np.ones(5))
    np.testing.assert_allclose(MX.to_numpy(fn(a, b)), np.tanh(np.linspace(-2, 2, 5)) + 1.0,
                               rtol=1e-6)
