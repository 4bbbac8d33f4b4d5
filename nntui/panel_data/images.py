"""Image classifiers (CNN, MLP on images, transfer learning): filters, feature maps,
probe predictions, the held-out confusion matrix and the most confidently wrong samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.panel_data.common import (
    MAX_HELDOUT,
    RollingEval,
    as_image,
    class_names,
    layer_outputs,
    moment,
    probe_indices,
    session_state,
)

MAX_FILTERS = 16  # first-layer filters kept
MAX_MAPS = 8  # channels kept per feature-map layer
MAP_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
WRONG = 6  # most confidently wrong samples kept


def heldout_eval(session: Any, model: Any, x_val: np.ndarray) -> RollingEval:
    """The session's rolling held-out evaluation (predicted class and confidence)."""
    state = session_state(session)
    ev: RollingEval | None = state.get("heldout")
    if ev is None:
        ev = state["heldout"] = RollingEval(min(len(x_val), MAX_HELDOUT))

    def fn(x: np.ndarray, part: slice) -> dict[str, np.ndarray]:
        p = model.predict_arrays(x, batch_size=256)
        p = p.reshape(len(p), -1)
        return {"pred": p.argmax(axis=1), "conf": p.max(axis=1).astype(np.float32)}

    now = moment(session)
    ev.update(x_val, fn, now.step, full=now.fresh)
    return ev


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """``(K, K)`` counts: row ``i``, column ``j`` = samples of true class ``i`` predicted ``j``."""
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)), 1)
    return confusion


def classifier_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray,
                    k: int) -> dict[str, Any]:
    """Confusion matrix ``(K, K)`` (rows true, columns predicted), accuracy and the most
    confidently wrong held-out samples."""
    ev = heldout_eval(session, model, x_val)
    n = ev.n
    y = np.asarray(y_val).reshape(-1)[:n].astype(np.int64)
    pred, conf = ev.results["pred"], ev.results["conf"]
    wrong = np.flatnonzero(pred != y)
    worst = wrong[np.argsort(-conf[wrong], kind="stable")[:WRONG]]
    out: dict[str, Any] = {
        "confusion": confusion_matrix(y, pred, k),
        "heldout_accuracy": float(np.mean(pred == y)) if n else 0.0,
        "heldout_size": n, "heldout_total": len(x_val), "heldout_steps": ev.span,
        "class_names": class_names(session.dataset, k),
        "wrong_true": y[worst], "wrong_pred": pred[worst], "wrong_conf": conf[worst]}
    if x_val.ndim >= 3:
        out["wrong_x"] = as_image(x_val[worst])
    return out


def probe_data(model: Any, x_val: np.ndarray, y_val: np.ndarray
               ) -> tuple[np.ndarray, dict[str, Any]]:
    """The fixed probe samples, their labels and predicted class probabilities."""
    y = np.asarray(y_val).reshape(-1)
    idx = probe_indices(len(x_val), y)
    outs = layer_outputs(model, x_val[idx])
    probs = outs[-1].reshape(len(idx), -1).astype(np.float32)
    return idx, {"probe_y": y[idx].astype(np.int64), "probe_probs": probs, "_outs": outs}


def cnn_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
    """First-layer filters, feature maps of the probes at every conv/pooling layer,
    probe probabilities, confusion matrix and confident mistakes."""
    idx, out = probe_data(model, x_val, y_val)
    outs = out.pop("_outs")
    out["probe_x"] = as_image(x_val[idx])
    maps = []
    for layer, a in zip(model.layers, outs, strict=False):
        if type(layer).__name__ in MAP_KINDS:
            maps.append((layer.name, type(layer).__name__,
                         np.asarray(a[..., :MAX_MAPS], dtype=np.float32)))  # (P, H, W, C)
    out["maps"] = maps
    conv = next((ly for ly in model.layers if type(ly).__name__ == "Conv2D"), None)
    if conv is not None:
        kernel = model.ops.to_numpy(conv.params["kernel"])  # (kh, kw, in, out)
        out["filters"] = np.moveaxis(kernel.mean(axis=2), -1, 0)[:MAX_FILTERS].astype(np.float32)
        out["filters_layer"] = conv.name
    out.update(classifier_data(session, model, x_val, y_val, out["probe_probs"].shape[1]))
    return out


def dense_image_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray
                     ) -> dict[str, Any]:
    """An MLP on images: first-layer weights as images (what each unit looks for) and
    the classifier views."""
    idx, out = probe_data(model, x_val, y_val)
    out.pop("_outs")
    out["probe_x"] = as_image(x_val[idx])
    dense = next((ly for ly in model.layers if type(ly).__name__ == "Dense"), None)
    shape = x_val.shape[1:]
    if dense is not None and int(np.prod(shape)) == dense.params["kernel"].shape[0]:
        kernel = model.ops.to_numpy(dense.params["kernel"])[:, :MAX_FILTERS]  # (in, U)
        out["filters"] = as_image(kernel.T.reshape((-1,) + shape))
        out["filters_layer"] = dense.name
    out.update(classifier_data(session, model, x_val, y_val, out["probe_probs"].shape[1]))
    return out


def transfer_data(session: Any, model: Any, x_val: np.ndarray, y_val: np.ndarray
                  ) -> dict[str, Any]:
    """Frozen vs trainable layers, accuracy before fine-tuning and now, and the CNN views."""
    info = session.info
    frozen = set(info.get("frozen", []))
    layers = [(ly.name, type(ly).__name__, int(ly.count_params()), bool(ly.trainable))
              for ly in model.layers]  # the base may unfreeze (unfreeze_epoch)
    out = cnn_data(session, model, x_val, y_val)
    out.update(layers=layers, frozen=sorted(frozen),
               accuracy_before=info.get("accuracy_before"),
               pretrain_accuracy=info.get("pretrain_accuracy"))
    return out
