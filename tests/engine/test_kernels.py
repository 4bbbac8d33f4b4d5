"""The NumPy backend's compiled kernels (numba) equal their pure-NumPy references, the
fallback that runs without numba and for float64; float32 tolerance throughout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nntui.engine.backend import get_backend, kernels_numpy, lstm_numpy
from nntui.engine.backend.numpy import compiled_kernels

numba_kernels = pytest.importorskip("nntui.engine.backend.kernels_numba")
F32 = np.float32


def _arrays(rng: np.random.Generator, shape: tuple[int, ...], n: int) -> list[np.ndarray]:
    return [rng.standard_normal(shape).astype(F32) for _ in range(n)]


def _positive(a: np.ndarray) -> np.ndarray:
    return np.abs(a) + F32(0.01)


UPDATES: dict[str, Callable[[Any, list[np.ndarray]], None]] = {
    "sgd": lambda k, a: k.sgd_update(a[0], a[1], None, 0.05, 0.0, False),
    "sgd-momentum": lambda k, a: k.sgd_update(a[0], a[1], a[2], 0.05, 0.9, False),
    "sgd-nesterov": lambda k, a: k.sgd_update(a[0], a[1], a[2], 0.05, 0.9, True),
    "rmsprop": lambda k, a: k.rmsprop_update(a[0], a[1], a[3], None, 0.01, 0.9, 0.0, 1e-7),
    "rmsprop-momentum": lambda k, a: k.rmsprop_update(a[0], a[1], a[3], a[2], 0.01, 0.9, 0.5,
                                                      1e-7),
    "adam": lambda k, a: k.adam_update(a[0], a[1], a[2], a[3], 0.003, 0.9, 0.999, 1e-7),
}


@pytest.mark.parametrize("shape", [(7,), (784, 64)])  # one piece, and several L2 pieces
@pytest.mark.parametrize("name", sorted(UPDATES))
def test_optimizer_kernels_equal_the_numpy_reference(name: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    start = _arrays(rng, shape, 3) + [_positive(rng.standard_normal(shape).astype(F32))]
    ref, fast = [a.copy() for a in start], [a.copy() for a in start]
    for _ in range(3):  # state carried between steps; a new gradient each step
        grad = rng.standard_normal(shape).astype(F32)
        ref[1], fast[1] = grad, grad.copy()
        UPDATES[name](kernels_numpy, ref)
        UPDATES[name](numba_kernels, fast)
    assert not np.array_equal(ref[0], start[0])  # the parameter moved
    for i, (a, b) in enumerate(zip(ref, fast, strict=True)):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7, err_msg=f"{name} array {i}")


def test_compiled_tanh_is_close_to_numpy_and_keeps_nan() -> None:
    x = np.concatenate([np.linspace(-12, 12, 20001), [0.0, 1e-30, -1e-30]]).astype(F32)
    got = np.array([numba_kernels._tanh(v) for v in x], F32)
    assert np.max(np.abs(got - np.tanh(x))) < 3e-7
    assert got[np.abs(x) > 9].tolist() == np.sign(x[np.abs(x) > 9]).tolist()
    assert np.isnan(numba_kernels._tanh(F32("nan")))


@pytest.mark.parametrize("with_steps", [False, True])  # return_sequences' per-step dL/dh
def test_lstm_steps_equal_the_numpy_reference(with_steps: bool) -> None:
    rng = np.random.default_rng(5)
    t_len, n, u = 6, 4, 3
    z = (3 * rng.standard_normal((t_len, n, 4 * u))).astype(F32)  # saturated gates too
    rk = rng.standard_normal((u, 4 * u)).astype(F32)
    dh_last = rng.standard_normal((n, u)).astype(F32)
    dh_steps = rng.standard_normal((t_len, n, u)).astype(F32) if with_steps else None
    ref = lstm_numpy.lstm_forward(z.copy(), rk)
    fast = lstm_numpy.lstm_forward(z.copy(), rk, numba_kernels.lstm_step)
    for name, a, b in zip("a c tanh_c h".split(), ref, fast, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=name)
    back_ref = lstm_numpy.lstm_backward(*ref[:3], rk, dh_last, dh_steps)
    back_fast = lstm_numpy.lstm_backward(*ref[:3], rk, dh_last, dh_steps,
                                         numba_kernels.lstm_step_backward)
    for name, a, b in zip(("dz", "dh"), back_ref, back_fast, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=name)


def test_the_backend_runs_compiled_kernels_for_float32_only() -> None:
    assert compiled_kernels() is numba_kernels  # numba is installed here
    a32, a64 = np.zeros(3, F32), np.zeros(3)
    assert get_backend("numpy")._fast(a32, a32) is numba_kernels  # type: ignore[attr-defined]
    assert get_backend("numpy")._fast(a64, a64) is kernels_numpy  # type: ignore[attr-defined]
    assert get_backend("numpy")._fast(a32[::2]) is kernels_numpy  # type: ignore[attr-defined]


@pytest.mark.parametrize("shape,pool", [((3, 8, 8, 4), (2, 2)), ((2, 7, 9, 3), (3, 2))])
def test_max_pool_equals_the_numpy_reference(shape: tuple[int, ...], pool: tuple[int, int]
                                             ) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape).astype(F32)
    x[0, 0, :2, 0] = 1.5  # a tie inside a window: the first slot wins on both
    x[1, 2, 2, 1] = np.nan  # a NaN wins its window on both (divergence must show)
    best, idx = kernels_numpy.max_pool(x, pool, pool)
    best2, idx2 = numba_kernels.max_pool(x, pool, pool)
    np.testing.assert_array_equal(best2, best)
    finite = ~np.isnan(best)
    np.testing.assert_array_equal(idx2[finite], idx[finite])
    grad = rng.standard_normal(best.shape).astype(F32)
    np.testing.assert_array_equal(numba_kernels.max_pool_backward(grad, idx, shape, pool, pool),
                                  kernels_numpy.max_pool_backward(grad, idx, shape, pool, pool))


@pytest.mark.parametrize("x_shape,strides", [((2, 7, 6, 3), (2, 2)), ((2, 6, 5, 1), (1, 1))])
def test_conv_input_gradient_equals_the_numpy_reference(x_shape: tuple[int, ...],
                                                        strides: tuple[int, int]) -> None:
    rng = np.random.default_rng(9)
    kernel = rng.standard_normal((3, 2, x_shape[3], 4)).astype(F32)
    oh = (x_shape[1] - 3) // strides[0] + 1
    ow = (x_shape[2] - 2) // strides[1] + 1
    dz = rng.standard_normal((x_shape[0], oh, ow, 4)).astype(F32)
    np.testing.assert_allclose(
        numba_kernels.conv2d_input_grad(dz, kernel, x_shape, strides),
        kernels_numpy.conv2d_input_grad(dz, kernel, x_shape, strides), rtol=1e-5, atol=1e-5)


def test_adam_flushes_subnormal_moments_to_zero() -> None:
    """A weight whose gradient stays 0 has its moments decay into subnormal numbers, on
    which the CPU is ~100x slower; the compiled update flushes them, the step unchanged."""
    tiny = np.finfo(F32).tiny
    p = np.linspace(-1, 1, 64, dtype=F32)
    ref = [p.copy(), np.zeros(64, F32), np.full(64, 1e-37, F32), np.full(64, 1e-37, F32)]
    fast = [a.copy() for a in ref]
    for _ in range(40):
        UPDATES["adam"](kernels_numpy, ref)
        UPDATES["adam"](numba_kernels, fast)
    assert np.all((ref[2] != 0) & (np.abs(ref[2]) < tiny))  # the reference went subnormal
    assert np.all(fast[2] == 0)
    np.testing.assert_array_equal(fast[3], ref[3])  # v decays by β2 only: still normal
    np.testing.assert_array_equal(fast[0], ref[0])


def test_relu_backward_equals_the_numpy_reference() -> None:
    rng = np.random.default_rng(4)
    z = rng.standard_normal((5, 6, 7)).astype(F32)
    z[0, 0, :3] = 0.0  # a = max(0, z) is flat at 0: no gradient
    grad = rng.standard_normal(z.shape).astype(F32)
    grad[1, 1, 1], z[1, 1, 1] = np.nan, -1.0  # a NaN gradient stays NaN behind a dead unit
    got = numba_kernels.relu_backward(grad, z)
    np.testing.assert_array_equal(got, kernels_numpy.relu_backward(grad, z))
    assert np.isnan(got[1, 1, 1]) and np.all(got[0, 0, :3] == 0)
