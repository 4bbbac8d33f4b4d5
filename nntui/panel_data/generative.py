"""GANs (generated against real samples, D's opinion of the plane) and autoencoders
(inputs beside reconstructions, the latent plane, reconstruction errors)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.numeric import data_extent, grid_points
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

GAN_POINTS = 400  # generated and real points in the 2-D scatter
GAN_IMAGES = 16  # generated images in the grid
D_GRID_W, D_GRID_H = 48, 32  # resolution of D(x) over the plane
Z_SEED = 1234  # the same latent vectors every snapshot, so samples move smoothly
AE_PROBES = 6
LATENT_POINTS = 600  # held-out codes in the latent scatter


def gan_data(session: Any, gan: Any) -> dict[str, Any]:
    """2-D data: real and generated points and D(x) over the plane; images: a sample grid."""
    ds = session.dataset
    if len(ds.input_shape) == 1 and ds.input_shape[0] == 2:
        real = session.x_train[np.linspace(0, len(session.x_train) - 1, GAN_POINTS).astype(int)]
        fake = gan.sample(GAN_POINTS, np.random.default_rng(Z_SEED)).reshape(-1, 2)
        extent = data_extent(real, margin=0.25)
        pts = grid_points(extent, D_GRID_W, D_GRID_H).astype(np.float32)
        d = gan.ops.to_numpy(gan.d.forward(gan.ops.asarray(pts), training=False))
        return {"kind": "points", "real": real.astype(np.float32), "fake": fake.astype(np.float32),
                "extent": extent, "d_grid": d.reshape(D_GRID_H, D_GRID_W).astype(np.float32)}
    samples = gan.sample(GAN_IMAGES, np.random.default_rng(Z_SEED))
    return {"kind": "images", "samples": as_image(samples)}


def _latent_layer(session: Any, model: Learner) -> int:
    names = [ly.name for ly in model.layers]
    return names.index("latent") if "latent" in names else int(session.info.get("latent_index", 0))


def _project2d(codes: np.ndarray) -> np.ndarray:
    """Codes ``(M, D)``: the first two dimensions when D ≤ 2, else the top-2 PCA plane."""
    if codes.shape[1] <= 2:
        return np.pad(codes, ((0, 0), (0, 2 - codes.shape[1])))
    centred = codes - codes.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T  # (M, D) @ (D, 2)


def autoencoder_data(session: Any, model: Learner, x_val: np.ndarray, y_val: np.ndarray
                     ) -> dict[str, Any]:
    """Probe inputs, reconstructions and clean targets; latent codes of held-out samples
    coloured by class; per-sample reconstruction MSE."""
    latent_at = _latent_layer(session, model)
    idx = probe_indices(len(x_val), None, AE_PROBES)
    recon = layer_outputs(model, x_val[idx])[-1]
    state = session_state(session)
    ev: RollingEval | None = state.get("latent")
    if ev is None:
        ev = state["latent"] = RollingEval(min(len(x_val), LATENT_POINTS, MAX_HELDOUT))

    def fn(x: np.ndarray, part: slice) -> dict[str, np.ndarray]:
        outs = layer_outputs(model, x)
        clean = np.asarray(y_val)[part].reshape(len(x), -1)
        recon = outs[-1].reshape(len(x), -1)
        return {"code": outs[latent_at].reshape(len(x), -1).astype(np.float32),
                "error": np.mean((recon - clean) ** 2, axis=1).astype(np.float32)}

    now = moment(session)
    ev.update(x_val, fn, now.step, full=now.fresh)
    m = ev.n
    errors, codes = ev.results["error"], ev.results["code"]
    labels = np.asarray(session.dataset.y_test)
    k = int(session.dataset.num_classes or 0)
    return {
        "inputs": as_image(x_val[idx]), "outputs": as_image(recon),
        "targets": as_image(np.asarray(y_val)[idx]), "noise": float(session.info.get("noise", 0.0)),
        "latent": _project2d(codes).astype(np.float32), "latent_dim": int(codes.shape[1]),
        "latent_labels": labels[:m].astype(np.int64) if labels.ndim == 1 else None,
        "class_names": class_names(session.dataset, k) if k else None,
        "errors": errors}
