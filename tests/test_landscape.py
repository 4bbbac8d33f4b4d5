"""The loss landscape: filter normalisation, slices that equal their closed forms
(a quadratic bowl; a linear model under MSE), projections of a trajectory, and the
run's trail starting at the initial weights."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers import Dense
from nntui.engine.model import Input, Sequential
from nntui.errors import ConfigError
from nntui.inspect.landscape import (
    filter_normalise,
    interpolation,
    pca_directions,
    project,
    random_directions,
    surface,
)
from nntui.inspect.landscape_run import WeightTrail, compute_landscape, copy_model, model_loss

AXIS = np.linspace(-1.0, 1.0, 7)


def _dot(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(sum(np.sum(x * y) for x, y in zip(a, b, strict=True)))


def test_each_filter_of_a_direction_has_the_norm_of_the_weights_filter() -> None:
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(3, 3, 2, 4)), rng.normal(size=(4,)), rng.normal(size=(5, 6))]
    d = filter_normalise([rng.normal(size=w.shape) for w in weights], weights)
    for f in range(4):
        assert np.linalg.norm(d[0][..., f]) == pytest.approx(np.linalg.norm(weights[0][..., f]))
    for f in range(6):
        assert np.linalg.norm(d[2][:, f]) == pytest.approx(np.linalg.norm(weights[2][:, f]))
    assert not d[1].any()  # biases get no direction (the paper's default)
    whole = filter_normalise([np.ones(4)], [weights[1]], ignore_1d=False)[0]
    assert np.linalg.norm(whole) == pytest.approx(np.linalg.norm(weights[1]))


def test_a_quadratic_bowl_slice_equals_its_formula() -> None:
    """L(w) = Σ c_k |w_k − m_k|² along α·d1 + β·d2, expanded by hand."""
    rng = np.random.default_rng(1)
    center = [rng.normal(size=(4, 3)), rng.normal(size=(2, 5))]
    mins = [rng.normal(size=w.shape) for w in center]
    c = [0.5, 2.0]

    def bowl(ws: list[np.ndarray]) -> float:
        return float(sum(ck * np.sum((w - m) ** 2) for ck, w, m in zip(c, ws, mins, strict=True)))

    d1, d2 = random_directions(center, rng)
    r = [w - m for w, m in zip(center, mins, strict=True)]
    cr = [ck * x for ck, x in zip(c, r, strict=True)]
    cd1 = [ck * x for ck, x in zip(c, d1, strict=True)]
    a, b = np.meshgrid(AXIS, AXIS)  # (B, A): row i at betas[i]
    expected = (bowl(center) + 2 * a * _dot(cr, d1) + 2 * b * _dot(cr, d2)
                + a * a * _dot(cd1, d1) + 2 * a * b * _dot(cd1, d2)
                + b * b * sum(ck * np.sum(x * x) for ck, x in zip(c, d2, strict=True)))
    np.testing.assert_allclose(surface(bowl, center, d1, d2, AXIS, AXIS), expected, rtol=1e-12)
    ts = np.linspace(0.0, 1.0, 5)
    line = interpolation(bowl, center, mins, ts)  # from the centre to the bottom
    np.testing.assert_allclose(line, bowl(center) * (1 - ts) ** 2, rtol=1e-12, atol=1e-12)


def test_a_linear_models_mse_slice_equals_its_closed_form() -> None:
    """ŷ = Xw + b, L = mean((ŷ − y)²): with the bias out of the plane,
    L(α, β) = mean((r + αu + βv)²), r = Xw + b − y, u = X·d1, v = X·d2."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    model = Sequential([Input((3,)), Dense(1)], backend="numpy", seed=0, dtype="float64")
    model.compile("sgd", "mse")
    center = model.get_weights()
    d1, d2 = random_directions(center, rng)
    got = surface(model_loss(copy_model(model), x, y), center, d1, d2, AXIS, AXIS)
    r = x @ center[0] + center[1] - y
    u, v = x @ d1[0], x @ d2[0]
    expected = np.array([[np.mean((r + a * u + b * v) ** 2) for a in AXIS] for b in AXIS])
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert got[3, 3] == pytest.approx(np.mean(r ** 2))  # the centre: the weights as they are


def test_projection_recovers_a_trajectory_in_the_plane() -> None:
    rng = np.random.default_rng(3)
    center = [rng.normal(size=(6, 4)), rng.normal(size=(4,))]
    d1, d2 = random_directions(center, rng, ignore_1d=False)
    coords = rng.normal(size=(8, 2))
    points = [[w + a * p + b * q for w, p, q in zip(center, d1, d2, strict=True)]
              for a, b in coords]
    np.testing.assert_allclose(project(points, center, d1, d2), coords, atol=1e-10)
    e1, e2, share = pca_directions(points, center)
    assert _dot(e1, e1) == pytest.approx(1.0) and abs(_dot(e1, e2)) < 1e-10
    assert sum(share) == pytest.approx(1.0)
    # in its own plane the trajectory is reproduced exactly: θ_t − c = α e1 + β e2
    ab = project(points, center, e1, e2)
    back = [[w + a * p + b * q for w, p, q in zip(center, e1, e2, strict=True)] for a, b in ab]
    for got, want in zip(back, points, strict=True):
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, atol=1e-10)


def _trained(epochs: int = 3) -> tuple[Sequential, WeightTrail, list[np.ndarray], tuple]:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = Sequential([Input((2,)), Dense(8, activation="tanh"), Dense(2, activation="softmax")],
                       backend="numpy", seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    initial = model.get_weights()
    trail = WeightTrail(model, cap=8)
    model.fit(x, y, epochs=epochs, batch_size=10, verbose=0, callbacks=[trail])
    return model, trail, initial, (x, y)


def test_the_trail_starts_at_the_initial_weights_and_stays_bounded() -> None:
    model, trail, initial, (x, y) = _trained()
    assert trail.points[0][0] == 0 and len(trail.points) <= 8 and trail.stride > 1
    for kept, first in zip(trail.points[0][1], initial, strict=True):
        np.testing.assert_array_equal(kept, first)
    steps = [s for s, _ in trail.points]
    assert steps == sorted(steps) and steps[-1] <= 60
    center = model.get_weights()
    done: list[int] = []
    land = compute_landscape(copy_model(model), x, y, center, trail.points, step=60,
                             mode="pca", resolution=5,
                             progress=lambda k, n: done.append(k))
    # the path's first point is the projection of the initial weights, its last the centre
    e1, e2, _ = pca_directions([w for _, w in trail.points] + [center], center)
    np.testing.assert_allclose(land.path[0], project([initial], center, e1, e2)[0], atol=1e-5)
    np.testing.assert_allclose(land.path[-1], [0.0, 0.0], atol=1e-9)
    assert land.path_steps[0] == 0 and land.path_steps[-1] == 60
    loss_at = model_loss(copy_model(model), x, y)
    assert land.losses[2, 2] == pytest.approx(loss_at(center), rel=1e-9)
    assert land.line[list(land.ts).index(0.0)] == pytest.approx(loss_at(initial), rel=1e-6)
    assert done == sorted(done) and done[-1] == 25 + len(land.ts)


def test_a_cancelled_landscape_stops_early_and_bad_modes_are_refused() -> None:
    model, trail, _, (x, y) = _trained(1)
    calls = []
    land = compute_landscape(copy_model(model), x, y, model.get_weights(), trail.points, 20,
                             resolution=6, cancelled=lambda: len(calls) > 0,
                             progress=lambda k, n: calls.append(k))
    assert np.isfinite(land.losses[0]).all() and np.isnan(land.losses[1:]).all()
    with pytest.raises(ConfigError, match="mode must be one of random, pca"):
        compute_landscape(copy_model(model), x, y, model.get_weights(), [], 0, mode="hessian")
