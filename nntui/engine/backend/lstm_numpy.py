"""The NumPy backend's LSTM kernels (σ gates, tanh): the loop over time steps, and each
step in pure NumPy, the reference and fallback of the compiled steps in ``kernels_numba``.

The loops write every step into (T, N, ·) arrays made once per batch (no per-step
temporaries to stack), and the only per-step products are h_(t−1)·U forward and
dz_t·Uᵀ backward, written with ``out=``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Step = Callable[..., None]
Steps = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def lstm_forward(z: np.ndarray, recurrent_kernel: np.ndarray, step: Step | None = None) -> Steps:
    """Every step of an LSTM from z = x_t·W + b, (T, N, 4u), blocks i f c o.

    Returns (a, c, tanh(c), h): the activations (T, N, 4u), and the cell, its tanh and
    the hidden state, (T, N, u) each. (a is not written over z: the compiled step's
    loops run vectorised only on arrays they can tell apart, ~3x faster.)
    """
    step = step or lstm_step
    t_len, n, k = z.shape
    a = np.empty_like(z)
    c, tc, h = (np.empty((t_len, n, k // 4), z.dtype) for _ in range(3))
    hu = np.empty((n, k), z.dtype)
    for t in range(t_len):
        if t:  # h_0 = 0 adds nothing
            np.matmul(h[t - 1], recurrent_kernel, out=hu)  # (N, u) @ (u, 4u) -> (N, 4u)
        step(z[t], hu if t else None, c[t - 1] if t else None, a[t], c[t], tc[t], h[t])
    return a, c, tc, h


def lstm_backward(a: np.ndarray, c: np.ndarray, tc: np.ndarray, recurrent_kernel: np.ndarray,
                  dh_last: np.ndarray, dh_steps: np.ndarray | None,
                  step: Step | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Backpropagation through time from ``lstm_forward``'s results.

    Args:
        dh_last: dL/dh_T from the layer's output (N, u) (zeros with return_sequences).
        dh_steps: dL/dh_t from the output for every step (T, N, u), or None.

    Returns:
        dz (T, N, 4u) for every step's z, and dL/dh_t (T, N, u), all paths summed.
    """
    step = step or lstm_step_backward
    t_len = a.shape[0]
    dz = np.empty_like(a)
    dh = np.empty(c.shape, a.dtype)
    dh[-1] = dh_last if dh_steps is None else dh_last + dh_steps[-1]
    dc = np.zeros(c.shape[1:], a.dtype)  # dL/dc_t, carried backwards in place
    u_t = np.ascontiguousarray(recurrent_kernel.T)  # (4u, u)
    for t in range(t_len - 1, -1, -1):
        step(dh[t], dc, a[t], c[t - 1] if t else None, tc[t], dz[t])
        if t:
            np.matmul(dz[t], u_t, out=dh[t - 1])  # (N, 4u) @ (4u, u) -> (N, u)
            if dh_steps is not None:
                dh[t - 1] += dh_steps[t - 1]
    return dz, dh


# one time step -----------------------------------------------------------------------
def lstm_step(z: np.ndarray, hu: np.ndarray | None, c_prev: np.ndarray | None,
              a: np.ndarray, c: np.ndarray, tc: np.ndarray, h: np.ndarray) -> None:
    """a = (σ, σ, tanh, σ)(z + h_(t−1)·U) into a (N, 4u); c = f⊙c_(t−1) + i⊙g;
    tc = tanh(c); h = o⊙tc. σ(z) = (1 + tanh(z/2))/2. ``hu`` / ``c_prev`` None at t = 0."""
    u = c.shape[1]
    if hu is None:
        np.multiply(z, 0.5, out=a)
    else:
        np.add(z, hu, out=a)
        a *= 0.5
    a[:, 2 * u:3 * u] *= 2.0  # the candidate's block: tanh(z), not tanh(z/2)
    np.tanh(a, out=a)
    a[:, :2 * u] *= 0.5
    a[:, :2 * u] += 0.5
    a[:, 3 * u:] *= 0.5
    a[:, 3 * u:] += 0.5
    i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
    np.multiply(i, g, out=c)
    if c_prev is not None:
        c += f * c_prev
    np.tanh(c, out=tc)
    np.multiply(o, tc, out=h)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, a: np.ndarray, c_prev: np.ndarray | None,
                       tc: np.ndarray, dz: np.ndarray) -> None:
    """From dL/dh_t (dh) and dL/dc_t so far (dc, updated in place to dL/dc_(t−1)):
    dc += dh⊙o⊙(1 − tc²);  dz = (dc⊙g⊙σ'_i, dc⊙c_(t−1)⊙σ'_f, dc⊙i⊙(1 − g²), dh⊙tc⊙σ'_o)
    with σ' = a(1 − a);  dc ⊙= f."""
    u = dc.shape[1]
    i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
    dc += dh * o * (1.0 - tc * tc)
    np.multiply(a, 1.0 - a, out=dz)  # σ' on the i, f, o blocks
    dz[:, :u] *= dc * g
    if c_prev is None:
        dz[:, u:2 * u] = 0.0
    else:
        dz[:, u:2 * u] *= dc * c_prev
    np.multiply(dc * i, 1.0 - g * g, out=dz[:, 2 * u:3 * u])
    dz[:, 3 * u:] *= dh * tc
    dc *= f
