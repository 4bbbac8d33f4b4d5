"""Panel data per architecture on tiny sessions: shapes, value ranges, invariants, cost."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

import nntui.panel_data as pd
from nntui.architectures import Session, build_session
from nntui.panel_data import compute_panel_data, panel_data
from nntui.presets import load_preset
from nntui.viz import grid_points

TINY = ["dataset.n_samples=200", "train.epochs=1"]


def tiny(preset: str, *overrides: str) -> Session:
    extra = ["model.pretrain_epochs=1", "model.pretrain_dataset.n_samples=200"
             ] if preset.startswith("transfer") else []
    return build_session(load_preset(preset, overrides=[*TINY, *extra, *overrides]))


def extras_of(session: Session) -> dict[str, Any]:
    trainer = session.trainer(snapshot_every=0)
    return compute_panel_data(session, session.model, trainer.x_val, trainer.y_val)


@pytest.fixture(scope="module")
def data() -> dict[str, tuple[Session, dict[str, Any]]]:
    out = {}
    for name in ("perceptron-blobs", "mlp-spiral", "mlp-regression", "cnn-shapes", "lstm-memory",
                 "lstm-sine", "gru-memory", "rnn-memory", "gan-gaussians", "gan-shapes",
                 "autoencoder-shapes", "denoising-autoencoder-shapes", "transformer-addition"):
        session = tiny(name)
        out[name] = (session, extras_of(session))
    return out


def test_decision_grid_follows_viz_grid_points_and_sums_to_one(data: Any) -> None:
    session, d = data["mlp-spiral"]
    assert d["kind"] == "boundary"
    gh, gw, k = d["grid"].shape
    assert k == 3
    np.testing.assert_allclose(d["grid"].sum(axis=-1), 1.0, atol=1e-5)
    # row 0 is ymin: the grid equals the model evaluated at viz's grid_points
    pts = grid_points(d["extent"], gw, gh).astype(np.float32)
    expected = session.model.predict_arrays(pts).reshape(gh, gw, k)
    np.testing.assert_allclose(d["grid"], expected, atol=1e-5)
    assert d["neurons"].shape[:2] == (gh, gw) and d["neurons"].shape[2] <= 16
    assert len(d["points"]) == len(d["labels"]) <= 400
    assert d["class_names"] == ["class 0", "class 1", "class 2"] or len(d["class_names"]) == 3


def test_perceptron_grid_is_one_hot_and_has_no_neurons(data: Any) -> None:
    _, d = data["perceptron-blobs"]
    assert d["grid"].shape[-1] == 2 and "neurons" not in d
    assert set(np.unique(d["grid"])) <= {0.0, 1.0}
    np.testing.assert_allclose(d["grid"].sum(axis=-1), 1.0)


def test_regression_curve_spans_the_inputs(data: Any) -> None:
    session, d = data["mlp-regression"]
    assert d["kind"] == "regression"
    x = session.x_train.ravel()
    assert d["curve_x"][0] == pytest.approx(x.min()) and d["curve_x"][-1] == pytest.approx(x.max())
    assert d["curve_y"].shape == d["curve_x"].shape and d["points"].shape[1] == 2


def test_cnn_filters_maps_confusion_and_mistakes(data: Any) -> None:
    session, d = data["cnn-shapes"]
    assert d["filters"].shape == (8, 3, 3)
    names = [(name, kind) for name, kind, _ in d["maps"]]
    assert [k for _, k in names] == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D"]
    p = len(d["probe_y"])
    assert [m.shape for _, _, m in d["maps"]] == [(p, 26, 26, 8), (p, 13, 13, 8),
                                                 (p, 11, 11, 8), (p, 5, 5, 8)]
    assert d["probe_x"].shape == (p, 28, 28)
    np.testing.assert_allclose(d["probe_probs"].sum(axis=1), 1.0, atol=1e-5)
    assert len(set(d["probe_y"].tolist())) == p  # one probe per class first
    assert d["confusion"].shape == (4, 4)
    assert d["confusion"].sum() == len(session.x_val) == d["heldout_size"]
    # (the accuracy and the matrix against the model's own predictions: test_panel_truth.py)
    wrong = d["wrong_true"] != d["wrong_pred"]
    assert wrong.all() and np.all(np.diff(d["wrong_conf"]) <= 0)  # most confident first
    assert d["wrong_x"].shape == (len(d["wrong_true"]), 28, 28)


def test_rolling_heldout_eval_refreshes_a_chunk_and_keeps_its_size(data: Any) -> None:
    session, _ = data["cnn-shapes"]
    for _ in range(3):
        d = extras_of(session)
        assert d["confusion"].sum() == len(session.x_val)


@pytest.mark.parametrize("name,keys", [
    ("lstm-memory", {"gate_i", "gate_f", "gate_o", "candidate", "cell", "hidden"}),
    ("gru-memory", {"gate_z", "gate_r", "candidate", "hidden"}),
    ("rnn-memory", {"hidden"}),
])
def test_recurrent_gates_and_gradient_norm_per_step(data: Any, name: str, keys: set[str]) -> None:
    session, d = data[name]
    assert set(d["gates"]) == keys
    t = session.dataset.input_shape[0]
    for key, g in d["gates"].items():
        assert g.shape == (4, t, 32), key
        if key.startswith("gate_"):
            assert np.all((g > 0) & (g < 1)), key
    assert d["grad_norm_per_step"].shape == (t,) and np.all(d["grad_norm_per_step"] >= 0)
    np.testing.assert_allclose(d["probe_probs"].sum(axis=1), 1.0, atol=1e-5)


def test_forecast_against_truth_for_the_sine_series(data: Any) -> None:
    session, d = data["lstm-sine"]
    assert d["forecast_window"].shape == (4, 30)
    assert d["forecast_truth"].shape == d["forecast_pred"].shape == (4,)
    assert d["heldout_truth"].shape == d["heldout_pred"].shape
    assert np.all(np.isfinite(d["heldout_pred"]))


def test_gan_points_and_images(data: Any) -> None:
    _, d = data["gan-gaussians"]
    assert d["kind"] == "points" and d["real"].shape[1] == d["fake"].shape[1] == 2
    assert np.all((d["d_grid"] >= 0) & (d["d_grid"] <= 1))
    _, d = data["gan-shapes"]
    assert d["kind"] == "images" and d["samples"].shape == (16, 28, 28)
    assert d["samples"].min() >= 0 and d["samples"].max() <= 1


def test_gan_samples_use_fixed_latents(data: Any) -> None:
    session, d = data["gan-gaussians"]
    again = extras_of(session)
    np.testing.assert_array_equal(d["fake"], again["fake"])


def test_autoencoder_reconstructions_latent_and_errors(data: Any) -> None:
    session, d = data["autoencoder-shapes"]
    assert d["inputs"].shape == d["outputs"].shape == d["targets"].shape == (6, 28, 28)
    assert d["noise"] == 0.0 and d["latent_dim"] == 2
    m = len(d["latent"])
    assert d["latent"].shape == (m, 2) and d["errors"].shape == (m,) == d["latent_labels"].shape
    assert np.all(d["errors"] >= 0) and d["class_names"][0] == "circle"
    recon = session.model.predict_arrays(session.x_val[:m]).reshape(m, -1)
    mse = np.mean((recon - session.y_val[:m].reshape(m, -1)) ** 2, axis=1)
    np.testing.assert_allclose(d["errors"], mse, rtol=1e-4)


def test_denoising_autoencoder_has_noisy_inputs_and_clean_targets(data: Any) -> None:
    _, d = data["denoising-autoencoder-shapes"]
    assert d["noise"] == pytest.approx(0.3) and d["latent_dim"] == 16
    assert d["latent"].shape[1] == 2  # PCA of the 16-D codes
    assert not np.allclose(d["inputs"], d["targets"])


def test_transformer_attention_rows_sum_to_one_and_text(data: Any) -> None:
    _, d = data["transformer-addition"]
    b, p, h, t, t2 = d["attention"].shape
    assert (b, p, h, t, t2) == (1, 3, 2, 8, 8)
    np.testing.assert_allclose(d["attention"].sum(axis=-1), 1.0, atol=1e-5)
    assert np.allclose(np.triu(d["attention"], 1), 0.0)  # causal
    assert all(len(row) == 8 for row in d["tokens"])
    assert all(pr.endswith("=") and len(pr) == 6 for pr in d["prompts"])
    assert all(len(g) == len(tr) == 3 for g, tr in zip(d["generated"], d["truths"], strict=True))


def test_transfer_frozen_layers_and_accuracies() -> None:
    session = tiny("transfer-shapes")
    d = extras_of(session)
    frozen = {name for name, _, _, trainable in d["layers"] if not trainable}
    assert frozen == set(session.info["frozen"]) and d["layers"][-1][3]
    assert d["accuracy_before"] == session.info["accuracy_before"]
    assert 0.0 <= d["heldout_accuracy"] <= 1.0 and d["confusion"].sum() == len(session.x_val)


def test_snapshot_does_not_disturb_training() -> None:
    """Training with panel data at every step gives the same weights as without."""
    runs = []
    for every in (0, 1):
        session = tiny("lstm-memory", "dataset.n_samples=64")
        pd_min = pd.MIN_INTERVAL
        pd.MIN_INTERVAL = 0.0
        try:
            session.trainer(snapshot_every=every, on_divergence="raise").run()
        finally:
            pd.MIN_INTERVAL = pd_min
        runs.append(session.model.get_weights())
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_panel_data_is_rate_limited_per_session_unless_fresh() -> None:
    session = tiny("mlp-xor")
    first = panel_data(session, session.model, session.x_val, session.y_val, step=1)
    again = panel_data(session, session.model, session.x_val, session.y_val, step=2)
    assert again is first and again["step"] == 1 and not again["fresh"]  # its own step
    other = tiny("mlp-xor")
    assert panel_data(other, other.model, other.x_val, other.y_val) is not first
    fresh = panel_data(session, session.model, session.x_val, session.y_val, step=3,
                       fresh=True)
    assert fresh is not first and fresh["step"] == 3 and fresh["fresh"]


def test_panel_data_is_cheap_for_small_models(data: Any) -> None:
    session, _ = data["mlp-spiral"]
    t0 = time.perf_counter()
    for _ in range(5):
        extras_of(session)
    assert (time.perf_counter() - t0) / 5 < 0.05  # generous: shared CI machines
