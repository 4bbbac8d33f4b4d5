"""NumPy and MLX backends give the same numbers: every op, every layer, loss and optimizer.

Layers are discovered from ``LAYER_NAMES``; a layer that is missing (its module deleted
or renamed) fails, and so does a layer without a case in ``LAYER_CASES`` (add one).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

pytest.importorskip("mlx.core")

from nntui.engine.backend import get_backend  # noqa: E402
from nntui.engine.backend.base import Backend  # noqa: E402
from nntui.engine.layers import LAYER_NAMES, get_layer_class  # noqa: E402
from nntui.engine.losses import LOSSES  # noqa: E402
from tests.engine.gradcheck import rel_error  # noqa: E402

NP, MX = get_backend("numpy"), get_backend("mlx")
RTOL, ATOL = 1e-5, 1e-6
LAYER_TOL = 1e-4


def rel_close(a: np.ndarray, b: np.ndarray) -> float:
    """rel_error, except that arrays that are zero up to float32 noise count as equal
    (e.g. a key bias gradient, which softmax makes exactly 0 in exact arithmetic)."""
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    return 0.0 if scale < 1e-5 else rel_error(a, b)


def _data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    return {
        "x": rng.standard_normal((3, 4)).astype(f32),
        "y": rng.standard_normal((3, 4)).astype(f32),
        "pos": rng.uniform(0.1, 3.0, (3, 4)).astype(f32),
        "big": (rng.standard_normal((3, 4)) * 40).astype(f32),  # overflow-prone inputs
        "w": rng.standard_normal((4, 5)).astype(f32),
        "b3": rng.standard_normal((2, 3, 4)).astype(f32),
        "img": rng.standard_normal((2, 7, 6, 3)).astype(f32),
        "cols": rng.standard_normal((2, 3, 2, 2 * 3 * 3)).astype(f32),  # img, k (2,3), s 2
        "labels": np.array([2, 0, 4, 4, 1]),
        "ids": np.array([[1, 3], [3, 0], [1, 1]]),
        "vals": rng.standard_normal((3, 2, 4)).astype(f32),
        "k4": rng.standard_normal((2, 3, 3, 4)).astype(f32),  # conv kernel (kh, kw, C, F)
        "dz": rng.standard_normal((2, 3, 2, 4)).astype(f32),  # its (N, OH, OW, F) gradient
        "z": (2 * rng.standard_normal((3, 2, 8))).astype(f32),  # LSTM z (T, N, 4u), u = 2
        "rk": rng.standard_normal((2, 8)).astype(f32),
        "dh": rng.standard_normal((2, 2)).astype(f32),
        "dhs": rng.standard_normal((3, 2, 2)).astype(f32),
        **{h: rng.standard_normal((2, 2, 4, 3)).astype(f32) for h in ("q", "k", "v", "g")},
        "drop": (rng.uniform(size=(2, 2, 4, 4)) < 0.7).astype(f32) / 0.7,
    }


def _optimizer_kernels(o: Any, d: dict[str, Any]) -> tuple[Any, ...]:
    """Each update kernel with and without momentum (NumPy's update their inputs in place:
    every call gets arrays of its own)."""
    def f(key: str) -> Any:
        return d[key] * 1.0

    return (o.sgd_update(f("x"), f("y"), None, 0.1, 0.0, False)[0],
            *o.sgd_update(f("x"), f("y"), f("pos"), 0.1, 0.9, False),
            *o.sgd_update(f("x"), f("y"), f("pos"), 0.1, 0.9, True),
            *o.rmsprop_update(f("x"), f("y"), f("pos"), None, 0.01, 0.9, 0.0, 1e-7)[:2],
            *o.rmsprop_update(f("x"), f("y"), f("pos"), f("x"), 0.01, 0.9, 0.5, 1e-7),
            *o.adam_update(f("x"), f("y"), f("x"), f("pos"), 0.01, 0.9, 0.999, 1e-7))


def _pools(o: Any, d: dict[str, Any], backward: bool) -> tuple[Any, ...]:
    """Max and sum pooling, non-overlapping (2×2) and overlapping (3×2, strides 2, 1)."""
    out: list[Any] = []
    for pool, strides in (((2, 2), (2, 2)), ((3, 2), (2, 1))):
        best, idx = o.max_pool2d(d["img"], pool, strides)
        total = o.sum_pool2d(d["img"], pool, strides)
        if not backward:
            out += [best, o.astype(idx, "float32"), total]
            continue
        g = d["img"][:, :best.shape[1], :best.shape[2], :]
        out += [o.max_pool2d_backward(g, idx, (2, 7, 6, 3), pool, strides),
                o.sum_pool2d_backward(g, (2, 7, 6, 3), pool, strides)]
    return tuple(out)


def _lstm(o: Any, d: dict[str, Any], backward: bool) -> tuple[Any, ...]:
    a, c, tc, h = o.lstm_forward(d["z"], d["rk"])
    if not backward:
        return a, c, tc, h
    return (*o.lstm_backward(a, c, tc, d["rk"], d["dh"], None),
            *o.lstm_backward(a, c, tc, d["rk"], d["dh"] * 0.0, d["dhs"]))


def _attention(o: Any, d: dict[str, Any]) -> tuple[Any, ...]:
    causal = o.attention(d["q"], d["k"], d["v"], 0.5, True, None, True)
    dropped = o.attention(d["q"], d["k"], d["v"], 0.5, False, d["drop"], False)
    return (*causal, *dropped[1:])


def _attention_backward(o: Any, d: dict[str, Any]) -> tuple[Any, ...]:
    a = o.attention(d["q"], d["k"], d["v"], 0.5, True, None, False)[1]
    return (*o.attention_backward(d["q"], d["k"], d["v"], a, d["drop"], d["g"], 0.5, True),
            *o.attention_backward(d["q"], d["k"], d["v"], a, None, d["g"], 0.5, False)[:3])


def _layer_norm(o: Any, d: dict[str, Any], backward: bool) -> tuple[Any, ...]:
    """Over the last axis with γ and β, and over the last two without."""
    gamma, beta = d["b3"][0, 0] * 0.5 + 1.0, d["b3"][1, 1]
    last = o.layer_norm(d["b3"] * 3.0 + 1.0, gamma, beta, (2,), 1e-3)
    both = o.layer_norm(d["b3"], None, None, (1, 2), 1e-3)
    if not backward:
        return (*last, *both)
    return (*o.layer_norm_backward(d["b3"][::-1], last[1], last[2], gamma, (2,)),
            *o.layer_norm_backward(d["b3"], both[1], both[2], None, (1, 2)))


# name -> fn(ops, data) ; data holds backend arrays
OP_CASES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "asarray": lambda o, d: o.asarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
    "to_numpy": lambda o, d: o.to_numpy(d["x"]),
    "item": lambda o, d: o.item(o.sum(d["x"])),
    "zeros": lambda o, d: o.zeros((2, 3)),
    "ones": lambda o, d: o.ones((2, 3)),
    "zeros_like": lambda o, d: o.zeros_like(d["x"]),
    "full": lambda o, d: o.full((2, 3), 2.5),
    "arange": lambda o, d: o.arange(5),
    "exp": lambda o, d: o.exp(d["x"]),
    "log": lambda o, d: o.log(d["pos"]),
    "log1p": lambda o, d: o.log1p(d["pos"]),
    "sqrt": lambda o, d: o.sqrt(d["pos"]),
    "tanh": lambda o, d: o.tanh(d["big"]),
    "sigmoid": lambda o, d: o.sigmoid(d["big"]),
    "softplus": lambda o, d: o.softplus(d["big"]),
    "abs": lambda o, d: o.abs(d["x"]),
    "sign": lambda o, d: o.sign(d["x"]),
    "maximum": lambda o, d: (o.maximum(d["x"], d["y"]), o.maximum(d["x"], 0.0)),
    "minimum": lambda o, d: (o.minimum(d["x"], d["y"]), o.minimum(d["x"], 0.0)),
    "where": lambda o, d: (o.where(d["x"] > 0, d["x"], d["y"]), o.where(d["x"] > 0, d["x"], 0.0),
                           o.where(d["x"] > 0, 0.0, d["y"])),
    "clip": lambda o, d: o.clip(d["x"], -0.5, 0.5),
    "astype": lambda o, d: (o.astype(d["x"] > 0, d["x"].dtype), o.astype(d["x"] > 0, "float32")),
    "sum": lambda o, d: (o.sum(d["b3"]), o.sum(d["b3"], axis=1), o.sum(d["b3"], axis=(0, 2),
                                                                      keepdims=True)),
    "mean": lambda o, d: (o.mean(d["b3"]), o.mean(d["b3"], axis=-1, keepdims=True)),
    "max": lambda o, d: (o.max(d["b3"]), o.max(d["b3"], axis=1, keepdims=True)),
    "argmax": lambda o, d: (o.argmax(d["b3"]), o.argmax(d["b3"], axis=0)),
    "logsumexp": lambda o, d: (o.logsumexp(d["big"]), o.logsumexp(d["b3"], axis=1, keepdims=True)),
    "softmax": lambda o, d: (o.softmax(d["big"]), o.softmax(d["b3"], axis=0)),
    "reshape": lambda o, d: o.reshape(d["b3"], (4, -1)),
    "transpose": lambda o, d: o.transpose(d["b3"], (2, 0, 1)),
    "expand_dims": lambda o, d: o.expand_dims(d["x"], 1),
    "concatenate": lambda o, d: o.concatenate([d["x"], d["y"]], axis=1),
    "stack": lambda o, d: o.stack([d["x"], d["y"]], axis=1),
    "pad": lambda o, d: (o.pad(d["img"], [(0, 0), (1, 2), (0, 1), (0, 0)]),
                         o.pad(d["x"], [(0, 0), (0, 0)])),
    "broadcast_to": lambda o, d: o.broadcast_to(d["w"][:1], (3, 5)),
    "matmul": lambda o, d: (o.matmul(d["x"], d["w"]), d["x"] @ d["w"], d["x"].T @ d["y"]),
    "take": lambda o, d: (o.take(d["w"], d["ids"], axis=0), o.take(d["w"], d["labels"][:2], 1)),
    "one_hot": lambda o, d: (o.one_hot(d["labels"], 5), o.one_hot(d["ids"], 4)),
    "scatter_add_rows": lambda o, d: o.scatter_add_rows(5, d["ids"], d["vals"]),
    "attention": _attention,
    "layer_norm": lambda o, d: _layer_norm(o, d, False),
    "layer_norm_backward": lambda o, d: _layer_norm(o, d, True),
    "attention_backward": _attention_backward,
    "im2col": lambda o, d: (o.im2col(d["img"], 3, 3, 1, 1), o.im2col(d["img"], 2, 3, 2, 2)),
    "col2im": lambda o, d: o.col2im(d["cols"], (2, 7, 6, 3), 2, 3, 2, 2),
    "sgd_update": _optimizer_kernels,
    "rmsprop_update": _optimizer_kernels,
    "adam_update": _optimizer_kernels,
    "squared_norm": lambda o, d: o.squared_norm(d["b3"]),
    "relu_backward": lambda o, d: o.relu_backward(d["y"], d["x"]),
    "bias_add": lambda o, d: (o.bias_add(d["img"] * 1.0, d["img"][0, 0, 0]),
                              o.bias_add(d["x"] * 1.0, d["x"][0])),
    "conv2d_input_grad": lambda o, d: (o.conv2d_input_grad(d["dz"], d["k4"], (2, 7, 6, 3), (2, 2)),
                                       o.conv2d_input_grad(d["dz"], d["k4"], (2, 4, 4, 3), (1, 1))),
    "max_pool2d": lambda o, d: _pools(o, d, False),
    "max_pool2d_backward": lambda o, d: _pools(o, d, True),
    "sum_pool2d": lambda o, d: _pools(o, d, False),
    "sum_pool2d_backward": lambda o, d: _pools(o, d, True),
    "lstm_forward": lambda o, d: _lstm(o, d, False),
    "lstm_backward": lambda o, d: _lstm(o, d, True),
    "update": lambda o, d: o.update(o.asarray(np.ones((3, 4), np.float32)), d["x"]),
    "all_finite": lambda o, d: (o.all_finite(d["x"]), o.all_finite(d["x"] * np.inf)),
    "compile": lambda o, d: o.compile(lambda a, b: a * b + 1.0)(d["x"], d["y"]),
}
RANDOM_OPS = ("uniform", "normal")


def _protocol_methods() -> list[str]:
    return [n for n, v in vars(Backend).items() if not n.startswith("_") and inspect.isfunction(v)]


def _run(ops: Any, fn: Callable[..., Any]) -> list[np.ndarray]:
    data = {k: ops.asarray(v) for k, v in _data().items()}
    out = fn(ops, data)
    outs = out if isinstance(out, tuple) else (out,)
    return [np.asarray(ops.to_numpy(o)) if not isinstance(o, (bool, float)) else np.asarray(o)
            for o in outs]


def test_every_protocol_op_has_a_parity_case() -> None:
    missing = [n for n in _protocol_methods() if n not in OP_CASES and n not in RANDOM_OPS]
    assert not missing, f"add parity cases for backend ops: {missing}"


def test_mlx_backend_implements_every_protocol_op() -> None:
    missing = [n for n in _protocol_methods() if not callable(getattr(MX, n, None))]
    assert not missing, f"MlxBackend lacks: {missing}"
    assert isinstance(MX, Backend)


@pytest.mark.parametrize("op", sorted(OP_CASES))
def test_op_parity(op: str) -> None:
    want, got = _run(NP, OP_CASES[op]), _run(MX, OP_CASES[op])
    for a, b in zip(want, got, strict=True):
        assert a.shape == b.shape, f"{op}: shape {a.shape} vs {b.shape}"
        assert a.dtype.kind == b.dtype.kind, f"{op}: dtype {a.dtype} vs {b.dtype}"
        if a.dtype.kind == "f":
            assert a.dtype == b.dtype, f"{op}: dtype {a.dtype} vs {b.dtype}"
        np.testing.assert_allclose(b, a, rtol=RTOL, atol=ATOL, err_msg=op)


@pytest.mark.parametrize("op", RANDOM_OPS)
def test_random_ops_are_seeded_and_well_shaped(op: str) -> None:
    def draw(seed: int) -> np.ndarray:
        return MX.to_numpy(getattr(MX, op)((200, 50), np.random.default_rng(seed)))

    a, b, c = draw(1), draw(1), draw(2)
    assert a.shape == (200, 50) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    mean, std = (0.5, 12 ** -0.5) if op == "uniform" else (0.0, 1.0)
    assert abs(a.mean() - mean) < 0.03 and abs(a.std() - std) < 0.03
    if op == "uniform":
        u = MX.to_numpy(MX.uniform((1000,), np.random.default_rng(0), -2.0, 3.0))
        assert u.min() >= -2.0 and u.max() < 3.0


# layers ------------------------------------------------------------------------------
# case id -> (layer name, constructor kwargs, per-sample input shape, input kind)
from tests.engine.layer_cases import LAYER_CASES  # noqa: E402


def _layer_class(name: str) -> Any:
    return get_layer_class(name)  # a missing layer is an error here, not a skip


def test_every_layer_exists_and_has_a_parity_case() -> None:
    covered = {spec[0] for spec in LAYER_CASES.values()}
    for name in LAYER_NAMES:
        assert isinstance(get_layer_class(name), type), name  # raises if deleted or renamed
    missing = [name for name in LAYER_NAMES if name not in covered]
    assert not missing, f"add LAYER_CASES entries for: {missing}"


def _layer_run(ops: Any, name: str, kwargs: dict[str, Any], shape: tuple[int, ...], x: np.ndarray,
               weights: list[np.ndarray] | None, grad: np.ndarray
               ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray | None, dict[str, np.ndarray]]:
    layer = _layer_class(name)(**kwargs)
    layer.ops = ops
    layer.build(shape, np.random.default_rng(3))
    if weights is not None:
        layer.set_weights(weights)
    layer.zero_grad()
    out = layer.forward(ops.asarray(x), training=False)
    gin = layer.backward(ops.asarray(grad.reshape(tuple(out.shape))))
    grads = {k: ops.to_numpy(v) for k, v in layer.grads.items() if v is not None}
    gx = None if gin is None else ops.to_numpy(gin)
    return layer.get_weights(), ops.to_numpy(out), gx, grads


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_layer_parity(case: str) -> None:
    name, kwargs, shape, kind = LAYER_CASES[case]
    rng = np.random.default_rng(11)
    n = 3
    if kind == "ids":
        x = rng.integers(0, kwargs["input_dim"], (n,) + shape)
    else:
        x = rng.standard_normal((n,) + shape).astype(np.float32)
    # a first NumPy layer gives the weights both backends then share, and the output shape
    layer = _layer_class(name)(**kwargs)
    layer.ops = NP
    layer.build(shape, np.random.default_rng(3))
    weights = layer.get_weights()
    out_shape = tuple(layer.forward(NP.asarray(x)).shape)
    grad = rng.standard_normal(out_shape).astype(np.float32)
    w_np, y_np, gx_np, g_np = _layer_run(NP, name, kwargs, shape, x, weights, grad)
    w_mx, y_mx, gx_mx, g_mx = _layer_run(MX, name, kwargs, shape, x, weights, grad)
    for a, b in zip(w_np, w_mx, strict=True):
        np.testing.assert_array_equal(a, b)
    assert y_mx.shape == y_np.shape and y_mx.dtype == y_np.dtype
    assert rel_error(y_np, y_mx) < LAYER_TOL, f"{case} output"
    if kind == "float":
        assert gx_mx is not None and gx_np is not None
        assert rel_error(gx_np, gx_mx) < LAYER_TOL, f"{case} input gradient"
    assert g_np.keys() == g_mx.keys()
    for k in g_np:
        assert rel_close(g_np[k], g_mx[k]) < LAYER_TOL, f"{case} gradient of {k}"


# losses and optimizers ----------------------------------------------------------------
def _loss_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    if name == "mean_squared_error":
        return rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 3))
    if name == "binary_crossentropy":
        p = rng.uniform(0.02, 0.98, (6, 1))
        return (rng.random((6, 1)) > 0.5).astype(np.float32), p.astype(np.float32)
    logits = rng.standard_normal((6, 4))
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)], p.astype(np.float32)


LOSS_CLASSES = sorted({cls.name: cls for cls in LOSSES.values()}.items())


@pytest.mark.parametrize(("name", "cls"), LOSS_CLASSES, ids=[n for n, _ in LOSS_CLASSES])
def test_loss_parity(name: str, cls: Any) -> None:
    y, p = _loss_data(name)
    loss = cls()
    results = []
    for ops in (NP, MX):
        yb, pb = ops.asarray(y), ops.asarray(p)
        out = [np.asarray(ops.item(loss(ops, yb, pb))), ops.to_numpy(loss.gradient(ops, yb, pb))]
        if loss.fused_activation:
            out.append(ops.to_numpy(loss.fused_gradient(ops, yb, pb)))
        results.append(out)
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(b, a, rtol=RTOL, atol=ATOL, err_msg=name)


def _head(loss: str) -> tuple[int, str | None, np.ndarray]:
    """Output units, activation and labels of a small model for ``loss``."""
    rng = np.random.default_rng(9)
    if loss in ("mean_squared_error", "mse"):
        return 2, "tanh", rng.standard_normal((16, 2)).astype(np.float32)
    if loss in ("binary_crossentropy", "bce"):
        return 1, "sigmoid", (rng.random((16, 1)) > 0.5).astype(np.float32)
    labels = rng.integers(0, 3, 16)
    if loss == "sparse_categorical_crossentropy":
        return 3, "softmax", labels
    return 3, "softmax", np.eye(3, dtype=np.float32)[labels]


def _three_steps(backend: str, loss: str, optimizer: Any, head_activation: str | None = None
                 ) -> list[np.ndarray]:
    import nntui
    from nntui.layers import Dense

    units, act, y = _head(loss)
    x = np.random.default_rng(8).standard_normal((16, 4)).astype(np.float32)
    model = nntui.Sequential([Dense(8, activation="elu", input_shape=(4,),
                                    kernel_regularizer="l2", bias_regularizer="l1"),
                              Dense(units, activation=head_activation or act)],
                             backend=backend, seed=4)
    model.compile(optimizer=optimizer() if callable(optimizer) else optimizer, loss=loss)
    for i in range(3):
        model.train_on_batch(x[i * 5:i * 5 + 8], y[i * 5:i * 5 + 8])
    return model.get_weights()


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_loss_training_parity(loss: str) -> None:
    a = _three_steps("numpy", loss, "adam")
    b = _three_steps("mlx", loss, "adam")
    for wa, wb in zip(a, b, strict=True):
        assert rel_error(wa, wb) < LAYER_TOL, loss


def test_unfused_softmax_and_sigmoid_heads_match() -> None:
    """Softmax under MSE (no fused gradient) goes through SoftmaxFn.backward on both."""
    a = _three_steps("numpy", "mse", "sgd", head_activation="softmax")
    b = _three_steps("mlx", "mse", "sgd", head_activation="softmax")
    for wa, wb in zip(a, b, strict=True):
        assert rel_error(wa, wb) < LAYER_TOL


OPTIMIZER_CASES: dict[str, dict[str, Any]] = {
    "sgd": {"name": "sgd", "learning_rate": 0.1},
    "sgd-momentum": {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9},
    "sgd-nesterov": {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
    "rmsprop": {"name": "rmsprop", "learning_rate": 0.01},
    "rmsprop-momentum": {"name": "rmsprop", "learning_rate": 0.01, "momentum": 0.5},
    "adam": {"name": "adam", "learning_rate": 0.01},
    "adam-clipnorm": {"name": "adam", "learning_rate": 0.01, "clipnorm": 0.05},
    "sgd-clipvalue": {"name": "sgd", "learning_rate": 0.1, "clipvalue": 0.01},
    "sgd-global-clipnorm": {"name": "sgd", "learning_rate": 0.1, "global_clipnorm": 0.1},
}


@pytest.mark.parametrize("case", sorted(OPTIMIZER_CASES))
def test_optimizer_parity(case: str) -> None:
    cfg = OPTIMIZER_CASES[case]
    a = _three_steps("numpy", "sparse_categorical_crossentropy", dict(cfg))
    b = _three_steps("mlx", "sparse_categorical_crossentropy", dict(cfg))
    for wa, wb in zip(a, b, strict=True):
        assert rel_error(wa, wb) < LAYER_TOL, case
