"""Every figure an architecture panel shows, against the trained model itself.

Each session trains through the real trainer with the app's snapshot throttle (so the
panel data is what the dashboard gets: throttled while running, fresh at the end),
then each figure of the last snapshot's extras is recomputed here from the model's
own ``predict`` on the same data, never from the panel-data code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import nntui.panel_data.images as images
from nntui.architectures import Session, build_session
from nntui.engine import events as ev
from nntui.panel_data import compute_panel_data
from nntui.panel_data.common import CHUNK, RollingEval
from nntui.panel_data.images import confusion_matrix
from nntui.presets import load_preset

SNAPSHOT_INTERVAL = 0.25  # the app's (nntui.app.workers), not imported: no Textual here


@dataclass
class Trained:
    session: Session
    last: ev.SnapshotTaken
    epochs: list[ev.EpochCompleted]
    steps: int


@functools.cache
def trained(preset: str, *overrides: str) -> Trained:
    """``preset`` trained to its end (small data) with the dashboard's throttles on."""
    session = build_session(load_preset(preset, overrides=list(overrides)))
    trainer = session.trainer(on_divergence="raise")
    trainer.snapshot_interval = SNAPSHOT_INTERVAL
    snaps: list[ev.SnapshotTaken] = []
    epochs: list[ev.EpochCompleted] = []
    trainer.subscribe(lambda e: snaps.append(e) if isinstance(e, ev.SnapshotTaken) else
                      epochs.append(e) if isinstance(e, ev.EpochCompleted) else None)
    trainer.run()
    return Trained(session, snaps[-1], epochs, trainer.step)


def extras_at_end(t: Trained) -> dict[str, Any]:
    """The last snapshot's extras: fresh, of the final step."""
    assert t.last.step == t.steps and t.last.fresh
    assert t.last.extras["step"] == t.steps and t.last.extras["fresh"]
    return t.last.extras


def cell_centres(points: np.ndarray, gw: int, gh: int) -> np.ndarray:
    """The grid the boundary is drawn on, from the data's bounds plus 5 %: row 0 at ymin."""
    lo, hi = points.min(axis=0).astype(np.float64), points.max(axis=0).astype(np.float64)
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
    xs = lo[0] + (np.arange(gw) + 0.5) * (hi[0] - lo[0]) / gw
    ys = lo[1] + (np.arange(gh) + 0.5) * (hi[1] - lo[1]) / gh
    return np.array([(x, y) for y in ys for x in xs], np.float32)


def probes(labels: np.ndarray, k: int = 4) -> list[int]:
    """The panel's probe samples: each class's first sample, in data order, then the next."""
    first = sorted(int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels))
    rest = [i for i in range(len(labels)) if i not in first]
    return (first + rest)[:k]


def class_probs(out: np.ndarray) -> np.ndarray:
    out = out.reshape(len(out), -1)
    return np.concatenate([1 - out, out], axis=1) if out.shape[1] == 1 else out


# confusion, accuracy and the rolling evaluation, by hand ------------------------------

def test_confusion_matrix_rows_are_true_columns_predicted() -> None:
    y_true = np.array([0, 0, 1, 2, 2, 2, 1])
    y_pred = np.array([0, 1, 1, 2, 0, 2, 1])
    expected = np.array([[1, 1, 0],   # true 0: once right, once taken for 1
                         [0, 2, 0],   # true 1: right twice
                         [1, 0, 2]])  # true 2: once taken for 0, right twice
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 3), expected)


def test_rolling_evaluation_after_enough_refreshes_equals_a_full_one() -> None:
    """Evaluated in full on one model, then refreshed chunk by chunk on another: after
    ceil(n / CHUNK) refreshes every sample holds the new model's result, with its step."""
    x = np.arange(300, dtype=np.float32).reshape(-1, 1)
    model = {"offset": 0.0}

    def fn(xs: np.ndarray, part: slice) -> dict[str, np.ndarray]:
        return {"out": xs[:, 0] + model["offset"]}

    rolling = RollingEval(len(x))
    rolling.update(x, fn, step=1)
    model["offset"] = 1000.0
    refreshes = -(-len(x) // CHUNK)
    for k in range(refreshes - 1):
        rolling.update(x, fn, step=2 + k)
        assert rolling.span == (1, 2 + k)  # not all new yet: the span says so
    rolling.update(x, fn, step=refreshes + 1)
    np.testing.assert_array_equal(rolling.results["out"], x[:, 0] + 1000.0)
    assert rolling.span == (2, refreshes + 1)
    rolling.update(x, fn, step=50, full=True)
    assert rolling.span == (50, 50)


def test_rolling_panel_data_on_a_changed_model_catches_up_with_a_full_evaluation() -> None:
    """Through the real panel data: throttled (not fresh) snapshots on a model that
    changed since the first evaluation; after enough of them the confusion matrix equals
    the one of the model as it is."""
    t = trained("cnn-shapes", "dataset.n_samples=400", "train.epochs=1")
    session = build_session(load_preset("cnn-shapes", overrides=["dataset.n_samples=400",
                                                                 "train.epochs=1"]))
    x_val, y_val = session.x_val, session.y_val
    compute_panel_data(session, session.model, x_val, y_val, step=0, fresh=True)  # untrained
    session.model.set_weights(t.session.model.get_weights())  # now: the trained model
    n = len(x_val)
    for k in range(-(-n // CHUNK)):
        d = compute_panel_data(session, session.model, x_val, y_val, step=k + 1, fresh=False)
    pred = session.model.predict_arrays(x_val).argmax(axis=1)
    expected = np.zeros((4, 4), np.int64)
    for true, p in zip(y_val, pred, strict=True):
        expected[true, p] += 1
    np.testing.assert_array_equal(d["confusion"], expected)
    assert d["heldout_accuracy"] == pytest.approx(np.mean(pred == y_val))
    assert d["heldout_steps"] == (1, -(-n // CHUNK))


# the image classifier ------------------------------------------------------------------

CNN = ("cnn-shapes", "dataset.n_samples=800", "train.epochs=3")


def test_cnn_accuracy_confusion_and_mistakes_are_the_trained_models() -> None:
    t = trained(*CNN)
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    probs = model.predict_arrays(x_val)
    pred = probs.argmax(axis=1)
    accuracy = float(np.mean(pred == y_val))
    assert d["heldout_size"] == d["heldout_total"] == len(x_val) == 160
    assert d["heldout_accuracy"] == pytest.approx(accuracy, abs=1e-12)
    # the logged metric of the same step and data: the last epoch's validation
    assert t.epochs[-1].step == t.steps
    assert d["heldout_accuracy"] == pytest.approx(t.epochs[-1].metrics["val_accuracy"])
    assert accuracy > 0.4  # a model that learned something (4 classes: chance is 0.25)
    expected = np.zeros((4, 4), np.int64)
    for true, p in zip(y_val, pred, strict=True):
        expected[true, p] += 1
    np.testing.assert_array_equal(d["confusion"], expected)
    assert d["heldout_steps"] == (t.steps, t.steps)
    conf = probs.max(axis=1)
    wrong = [i for i in np.argsort(-conf, kind="stable") if pred[i] != y_val[i]][:6]
    np.testing.assert_array_equal(d["wrong_true"], y_val[wrong])
    np.testing.assert_array_equal(d["wrong_pred"], pred[wrong])
    np.testing.assert_allclose(d["wrong_conf"], conf[wrong], rtol=1e-6)
    np.testing.assert_allclose(d["wrong_x"], x_val[wrong][..., 0])


def test_cnn_probes_and_filters_are_the_trained_models() -> None:
    t = trained(*CNN)
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    idx = probes(y_val)
    assert sorted(y_val[idx]) == [0, 1, 2, 3]  # one probe per class
    np.testing.assert_array_equal(d["probe_y"], y_val[idx])
    np.testing.assert_allclose(d["probe_x"], x_val[idx][..., 0])
    np.testing.assert_allclose(d["probe_probs"], model.predict_arrays(x_val[idx]), atol=1e-6)
    kernel = model.get_weights()[0]  # (3, 3, 1, 8)
    np.testing.assert_allclose(d["filters"], np.moveaxis(kernel[:, :, 0, :], -1, 0), atol=1e-7)
    conv = model.layers[0].forward(model.ops.asarray(x_val[idx]), training=False)
    np.testing.assert_allclose(d["maps"][0][2], model.ops.to_numpy(conv), atol=1e-5)


def test_a_held_out_set_larger_than_the_evaluation_cap_says_so(monkeypatch: Any) -> None:
    """With more held-out samples than the cap, the panel evaluates the first ``cap`` of
    them: its accuracy is theirs, and it says how many of how many."""
    t = trained(*CNN)
    monkeypatch.setattr(images, "MAX_HELDOUT", 50)
    session = build_session(t.session.spec)
    session.model.set_weights(t.session.model.get_weights())
    d = compute_panel_data(session, session.model, session.x_val, session.y_val,
                           step=t.steps, fresh=True)
    pred = session.model.predict_arrays(session.x_val[:50]).argmax(axis=1)
    assert (d["heldout_size"], d["heldout_total"]) == (50, 160)
    assert d["heldout_accuracy"] == pytest.approx(float(np.mean(pred == session.y_val[:50])))
    assert d["confusion"].sum() == 50


def test_mlp_on_images_first_layer_weights_and_accuracy() -> None:
    t = trained("mlp-mnist", 'dataset.name="shapes"', "dataset.n_samples=300",
                "train.epochs=2", "model.hidden=[16]", "train.snapshot_every=5")
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    pred = model.predict_arrays(x_val).argmax(axis=1)
    assert d["heldout_accuracy"] == pytest.approx(float(np.mean(pred == y_val)))
    kernel = model.get_weights()[0]  # (784, 16)
    np.testing.assert_allclose(d["filters"], kernel.T.reshape(16, 28, 28), atol=1e-7)


def test_transfer_accuracies() -> None:
    t = trained("transfer-shapes", "dataset.n_samples=300", "train.epochs=1",
                "model.pretrain_epochs=1", "model.pretrain_dataset.n_samples=300")
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    pred = model.predict_arrays(x_val).argmax(axis=1)
    assert d["heldout_accuracy"] == pytest.approx(float(np.mean(pred == y_val)))
    assert d["heldout_accuracy"] == pytest.approx(t.epochs[-1].metrics["val_accuracy"])
    assert d["accuracy_before"] == t.session.info["accuracy_before"]
    frozen = {name for name, _, _, trainable in d["layers"] if not trainable}
    assert frozen == {ly.name for ly in model.layers if not ly.trainable}
    assert frozen and any(ly.params for ly in model.layers if ly.name in frozen)


# points, curves ---------------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["perceptron-blobs", "logistic-blobs", "mlp-xor"])
def test_decision_regions_are_the_trained_models_predictions(preset: str) -> None:
    t = trained(preset, "train.epochs=3")
    d = extras_at_end(t)
    model, x = t.session.model, t.session.x_train
    gh, gw, k = d["grid"].shape
    want = class_probs(model.predict_arrays(cell_centres(x, gw, gh))).reshape(gh, gw, k)
    np.testing.assert_allclose(d["grid"], want, atol=1e-5)
    assert len(np.unique(d["grid"].argmax(axis=-1))) == 2  # trained: a boundary, two regions
    rows = {tuple(p): int(label) for p, label in zip(x, t.session.y_train, strict=True)}
    assert all(rows[tuple(p)] == label for p, label in zip(d["points"], d["labels"],
                                                            strict=True))


def test_regression_curve_is_the_models_prediction() -> None:
    t = trained("mlp-regression", "train.epochs=3")
    d = extras_at_end(t)
    want = t.session.model.predict_arrays(d["curve_x"].reshape(-1, 1)).reshape(-1)
    np.testing.assert_allclose(d["curve_y"], want, atol=1e-6)


# recurrent ------------------------------------------------------------------------------

def lstm_states(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray
                ) -> dict[str, np.ndarray]:
    """Keras's LSTM (gates i, f, c, o) step by step in float64: gates and states (N, T, u)."""
    n, steps, _ = x.shape
    u = recurrent.shape[0]
    h, c = np.zeros((n, u)), np.zeros((n, u))
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("gate_i", "gate_f", "candidate",
                                                         "gate_o", "cell", "hidden")}
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for t in range(steps):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = sig(z[:, :u]), sig(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), \
            sig(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        for key, v in zip(out, (i, f, g, o, c, h), strict=True):
            out[key].append(v)
    return {k: np.stack(v, axis=1) for k, v in out.items()}


def test_lstm_gates_and_prediction_are_the_trained_models() -> None:
    t = trained("lstm-memory", "dataset.n_samples=200", "train.epochs=2",
                "dataset.timesteps=12", "model.hidden=[8]")
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    idx = probes(y_val)
    lstm = next(ly for ly in model.layers if type(ly).__name__ == "LSTM")
    w = {k: model.ops.to_numpy(v).astype(np.float64) for k, v in lstm.params.items()}
    states = lstm_states(x_val[idx].astype(np.float64), w["kernel"], w["recurrent_kernel"],
                         w["bias"])
    for key, want in states.items():
        np.testing.assert_allclose(d["gates"][key], want, atol=1e-5, err_msg=key)
    np.testing.assert_allclose(d["probe_probs"], model.predict_arrays(x_val[idx]), atol=1e-6)
    np.testing.assert_array_equal(d["probe_y"], y_val[idx])


def test_forecasts_are_the_trained_models() -> None:
    t = trained("lstm-sine", "dataset.n_samples=200", "train.epochs=2")
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    idx = np.linspace(0, len(x_val) - 1, min(32, len(x_val))).round().astype(int)
    pred = model.predict_arrays(x_val[idx]).reshape(len(idx), -1)[:, 0]
    np.testing.assert_allclose(d["heldout_pred"], pred, atol=1e-5)
    np.testing.assert_allclose(d["heldout_truth"], y_val[idx].reshape(len(idx), -1)[:, 0])
    np.testing.assert_allclose(d["forecast_pred"], pred[:4], atol=1e-5)


# generative --------------------------------------------------------------------------------

def test_gan_samples_and_discriminator_plane_are_the_trained_models() -> None:
    t = trained("gan-gaussians", "dataset.n_samples=1000", "train.epochs=2")
    d = extras_at_end(t)
    gan = t.session.model
    fake = gan.sample(400, np.random.default_rng(1234))
    np.testing.assert_allclose(d["fake"], fake, atol=1e-6)
    gh, gw = d["d_grid"].shape
    xmin, xmax, ymin, ymax = d["extent"]
    xs = xmin + (np.arange(gw) + 0.5) * (xmax - xmin) / gw
    ys = ymin + (np.arange(gh) + 0.5) * (ymax - ymin) / gh
    pts = np.array([(x, y) for y in ys for x in xs], np.float32)
    np.testing.assert_allclose(d["d_grid"], gan.d.predict_arrays(pts).reshape(gh, gw),
                               atol=1e-6)
    real = {tuple(p) for p in t.session.x_train}
    assert all(tuple(p) in real for p in d["real"])


def test_autoencoder_reconstructions_codes_and_errors_are_the_trained_models() -> None:
    t = trained("autoencoder-shapes", "dataset.n_samples=300", "train.epochs=2")
    d = extras_at_end(t)
    model, x_val, y_val = t.session.model, t.session.x_val, t.session.y_val
    m = len(d["errors"])
    recon = model.predict_arrays(x_val[:m]).reshape(m, -1)
    np.testing.assert_allclose(d["errors"], np.mean((recon - y_val[:m].reshape(m, -1)) ** 2,
                                                    axis=1), rtol=1e-4, atol=1e-7)
    h = model.ops.asarray(x_val[:m])
    names = [ly.name for ly in model.layers]
    for layer in model.layers[:names.index("latent") + 1]:
        h = layer.forward(h, training=False)
    np.testing.assert_allclose(d["latent"], model.ops.to_numpy(h).reshape(m, -1), atol=1e-5)
    probes = np.linspace(0, len(x_val) - 1, 6).round().astype(int)
    np.testing.assert_allclose(d["outputs"], model.predict_arrays(x_val[probes])[..., 0],
                               atol=1e-6)


def test_transformer_text_is_the_trained_models_greedy_continuation() -> None:
    t = trained("transformer-addition", "dataset.n_samples=300", "train.epochs=2")
    d = extras_at_end(t)
    session = t.session
    vocab, start = session.dataset.meta["vocab"], session.dataset.meta["answer_start"]
    x_val = session.x_val
    idx = np.linspace(0, len(x_val) - 1, 3).round().astype(int)
    for row, shown in zip(x_val[idx], d["generated"], strict=True):
        ids = row.copy()
        text = ""
        for p in range(start, min(len(ids), start + 16)):
            nxt = int(session.model.predict_arrays(ids[None])[0, p].argmax())
            text += vocab[nxt]
            if p + 1 < len(ids):
                ids[p + 1] = nxt
        assert shown == text
