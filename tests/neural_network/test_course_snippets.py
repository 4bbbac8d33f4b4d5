"""Course snippets run unchanged but for their imports (issue 16).

Each file in ``snippets/`` is code as a learner has it in their notes, with the original
imports (scikit-learn's ``MLPClassifier``, Keras's ``Sequential``, layers, callbacks). It is
run twice: as written, on the oracle (scikit-learn; Keras 3 on the torch backend, where
``tensorflow.keras`` is read as ``keras``: it *is* Keras 3 since TensorFlow 2.16), and with
only its import lines rewritten to nntui's. Each leaves a ``result`` dict; the tests compare
the two. Tolerances:

- scikit-learn snippets: nntui's estimators follow scikit-learn's initialisation, batches and
  stopping rule, so loss curves agree to rtol 1e-9 and predictions exactly.
- Keras snippets: the weights start from different random draws (a learner's notes fix no
  weights), so learned quantities are compared as a learner would judge them: accuracy within
  a few points, errors under the same bar. Deterministic quantities (parameter counts, output
  shapes, a schedule's rates, the step count) must be equal, rates to float32 precision.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("sklearn")

SNIPPETS = Path(__file__).resolve().parent / "snippets"

# import rewrites, tried in order on each import line (one line per import statement)
TO_NNTUI = [
    (r"^from sklearn\.neural_network import ", "from nntui import "),
    (r"^from (?:tensorflow\.)?keras\.([\w.]+) import ", r"from nntui.\1 import "),
    (r"^from (?:tensorflow\.)?keras import ", "from nntui import "),
    (r"^from tensorflow import keras$", "import nntui as keras"),
    (r"^import keras$", "import nntui as keras"),
]
# tf.keras is Keras 3 (TensorFlow >= 2.16); TensorFlow itself is not installed here
TO_KERAS = [
    (r"^from tensorflow import keras$", "import keras"),
    (r"^from tensorflow\.keras", "from keras"),
]


@dataclass
class Run:
    result: dict[str, Any]
    stdout: str
    warnings: list[str]


def rewrite(source: str, rules: list[tuple[str, str]]) -> str:
    tree = ast.parse(source)
    import_lines = {n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
    lines = source.splitlines()
    for i in import_lines:
        for pattern, repl in rules:
            new = re.sub(pattern, repl, lines[i - 1])
            if new != lines[i - 1]:
                lines[i - 1] = new
                break
    return "\n".join(lines) + "\n"


def uses_keras(name: str) -> bool:
    return "keras" in (SNIPPETS / f"{name}.py").read_text(encoding="utf-8")


_RUNS: dict[tuple[str, str], Run] = {}


def run(name: str, lib: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The snippet run once per library per session (the tests of one snippet share it)."""
    key = (name, lib)
    if key not in _RUNS:
        source = (SNIPPETS / f"{name}.py").read_text(encoding="utf-8")
        if lib == "nntui":
            source = rewrite(source, TO_NNTUI)
        elif uses_keras(name):
            keras = pytest.importorskip("keras")
            keras.utils.set_random_seed(0)  # the oracle's run is reproducible
            source = rewrite(source, TO_KERAS)
        namespace: dict[str, Any] = {"__name__": f"snippet_{name}"}
        out = io.StringIO()
        cwd = Path.cwd()
        os.chdir(tmp_path_factory.mktemp(f"{name}_{lib}"))
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
                warnings.simplefilter("always")
                exec(compile(source, f"{name}.py ({lib})", "exec"), namespace)
        finally:
            os.chdir(cwd)
        _RUNS[key] = Run(namespace["result"], out.getvalue(),
                         [f"{type(w.message).__name__}: {w.message}" for w in caught])
    return _RUNS[key]


@pytest.fixture
def both(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Run, Run]]:
    """``both(name)`` -> (nntui's run, the oracle's run)."""
    def get(name: str) -> tuple[Run, Run]:
        if uses_keras(name):
            pytest.importorskip("keras")
        return run(name, "nntui", tmp_path_factory), run(name, "oracle", tmp_path_factory)
    return get


ALL = sorted(p.stem for p in SNIPPETS.glob("*.py"))


@pytest.mark.parametrize("name", ALL)
def test_only_import_lines_change(name: str) -> None:
    source = (SNIPPETS / f"{name}.py").read_text(encoding="utf-8")
    ours = rewrite(source, TO_NNTUI)
    tree, new = ast.parse(source), ast.parse(ours)
    body = [ast.dump(n) for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    assert body == [ast.dump(n) for n in new.body
                    if not isinstance(n, (ast.Import, ast.ImportFrom))]
    imported = [ast.unparse(n) for n in new.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [i for i in imported if "keras" in i.split(" as ")[0] or "neural_network" in i]
    assert any("nntui" in i for i in imported), imported


# scikit-learn: the same random_state gives the same fit -----------------------------------

def _same_fit(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours["n_iter"] == theirs["n_iter"]
    np.testing.assert_allclose(ours["loss_curve"], theirs["loss_curve"], rtol=1e-9)
    np.testing.assert_array_equal(ours["predictions"], theirs["predictions"])


def test_iris_pipeline_report_and_score(both) -> None:
    ours, theirs = both("sk_iris_pipeline")
    _same_fit(ours.result, theirs.result)
    assert ours.result["score"] == theirs.result["score"] > 0.9
    assert ours.result["report"] == theirs.result["report"]
    assert ours.stdout == theirs.stdout
    np.testing.assert_allclose(ours.result["proba"], theirs.result["proba"], atol=1e-9)
    assert ours.warnings == theirs.warnings  # max_iter reached: the same ConvergenceWarning


def test_early_stopping_stops_at_the_same_epoch(both) -> None:
    ours, theirs = both("sk_early_stopping")
    _same_fit(ours.result, theirs.result)
    assert ours.result["n_iter"] < 500  # it did stop early
    assert ours.result["validation_scores"] == theirs.result["validation_scores"]
    assert ours.result["best_validation_score"] == theirs.result["best_validation_score"]
    assert ours.result["score"] == theirs.result["score"]


def test_grid_search_picks_the_same_parameters(both) -> None:
    ours, theirs = both("sk_grid_search")
    assert ours.result["best_params"] == theirs.result["best_params"]
    np.testing.assert_allclose(ours.result["mean_test_score"], theirs.result["mean_test_score"],
                               rtol=1e-12)
    assert ours.result["best_score"] == pytest.approx(theirs.result["best_score"], rel=1e-12)
    assert ours.result["test_score"] == theirs.result["test_score"]
    assert len(ours.warnings) == len(theirs.warnings) > 0  # one per fit that hit max_iter


def test_regression_with_two_targets(both) -> None:
    ours, theirs = both("sk_regression_two_targets")
    o, t = ours.result, theirs.result
    assert o["n_iter"] == t["n_iter"] and o["n_outputs"] == t["n_outputs"] == 2
    np.testing.assert_allclose(o["loss_curve"], t["loss_curve"], rtol=1e-9)
    assert o["predictions"].shape == t["predictions"].shape == (100, 2)
    np.testing.assert_allclose(o["predictions"], t["predictions"], rtol=1e-9, atol=1e-9)
    assert o["r2"] == pytest.approx(t["r2"], rel=1e-9) and o["r2"] > 0.9
    assert o["mse"] == pytest.approx(t["mse"], rel=1e-9)
    assert o["coef_shapes"] == t["coef_shapes"]


def test_digits_with_string_labels(both) -> None:
    ours, theirs = both("sk_digits_string_labels")
    _same_fit(ours.result, theirs.result)
    np.testing.assert_array_equal(ours.result["classes"], theirs.result["classes"])
    assert ours.result["predictions"].dtype.kind == "U"
    np.testing.assert_array_equal(ours.result["confusion"], theirs.result["confusion"])
    assert ours.result["accuracy"] == theirs.result["accuracy"] > 0.9
    np.testing.assert_allclose(ours.result["proba"], theirs.result["proba"], atol=1e-9)


# Keras: different random initial weights; deterministic parts equal ---------------------

def test_dense_early_stopping_restores_the_best_epoch(both) -> None:
    ours, theirs = both("keras_dense_early_stopping")
    for r in (ours.result, theirs.result):
        # the weights after fit are the best epoch's: evaluating the validation split again
        # gives the smallest val_loss of the history
        assert r["val_loss_now"] == pytest.approx(r["best_val_loss"], rel=1e-5)
        assert r["model_history_is_history"] is True and r["epochs_run"] <= 100
    assert ours.result["history_keys"] == theirs.result["history_keys"]
    # 300 test points; 25 nntui initialisations gave 0.940-0.967, 6 Keras seeds 0.950-0.967
    assert ours.result["test_accuracy"] == pytest.approx(theirs.result["test_accuracy"],
                                                         abs=0.05)


def test_one_hot_labels_and_dense_layers(both) -> None:
    ours, theirs = both("keras_one_hot_dense")
    o, t = ours.result, theirs.result
    assert o["one_hot"].dtype == t["one_hot"].dtype
    np.testing.assert_array_equal(o["one_hot"], t["one_hot"])
    assert o["one_hot_test_shape"] == t["one_hot_test_shape"] == (450, 10)
    assert o["history_keys"] == t["history_keys"] and o["epochs"] == t["epochs"] == 10
    assert o["argmax_accuracy"] == pytest.approx(o["test_accuracy"], abs=1e-6)
    # 450 test digits; 20 nntui initialisations gave 0.947-0.969, 5 Keras seeds 0.949-0.962
    assert o["test_accuracy"] == pytest.approx(t["test_accuracy"], abs=0.04)
    assert ([line.split(":")[0] for line in ours.stdout.splitlines()]
            == [line.split(":")[0] for line in theirs.stdout.splitlines()]
            == ["Test loss", "Test accuracy"])


def test_learning_rate_schedule_and_save_load(both) -> None:
    ours, theirs = both("keras_schedule_save_load")
    o, t = ours.result, theirs.result
    # the schedule and the step count are deterministic: equal to float32 precision
    np.testing.assert_allclose(o["rates"], t["rates"], rtol=1e-6)
    assert o["iterations"] == o["restored_iterations"] == t["iterations"] == 25
    assert o["learning_rate_now"] == pytest.approx(t["learning_rate_now"], rel=1e-6)
    assert o["restored_learning_rate_now"] == pytest.approx(o["learning_rate_now"], rel=1e-12)
    assert o["max_prediction_change"] == t["max_prediction_change"] == 0.0
    assert o["accuracy"] == pytest.approx(t["accuracy"], abs=0.02)  # 1.0 for 20 inits and 6 seeds


def _total_params(stdout: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"Total params: ([\d,]+)", stdout)]


def test_summary_shows_keras_parameter_counts(both) -> None:
    ours, theirs = both("keras_summary")
    assert _total_params(ours.stdout) == _total_params(theirs.stdout) == [34826, 344897]
    assert ours.result["cnn_params"] == theirs.result["cnn_params"]
    assert ours.result["text_params"] == theirs.result["text_params"]
    assert ours.result["layer_types"] == theirs.result["layer_types"]


def test_summary_output_shape_has_the_batch_axis(both) -> None:
    ours, theirs = both("keras_summary")
    assert ours.result["cnn_output_shape"] == theirs.result["cnn_output_shape"]


@pytest.mark.slow
def test_small_cnn_on_digits(both) -> None:
    ours, theirs = both("keras_cnn")
    o, t = ours.result, theirs.result
    assert o["params"] == t["params"] == 4538
    assert o["probs_shape"] == t["probs_shape"] == (450, 10)
    np.testing.assert_allclose(o["probs_row_sums"], 1.0, atol=1e-5)
    for r in (o, t):
        assert r["loss_curve"][-1] < 0.5 * r["loss_curve"][0]
    # 10 nntui initialisations gave 0.856-0.927 (still learning after 10 epochs)
    assert o["test_accuracy"] == pytest.approx(t["test_accuracy"], abs=0.07)


@pytest.mark.slow
def test_recurrent_layers_take_any_sequence_length(both) -> None:
    ours, theirs = both("keras_rnn_variable_length")
    o, t = ours.result, theirs.result
    assert o["baseline_mse"] == t["baseline_mse"]  # the same data in both runs
    for name in ("simple_rnn", "lstm"):
        assert o[f"{name}_pred_shape"] == t[f"{name}_pred_shape"] == (256, 1)
        for r in (o, t):
            # 6 nntui initialisations and 2 Keras seeds: at most 0.33 of the baseline
            assert r[f"{name}_mse"] < 0.5 * r["baseline_mse"], (name, o, t)


@pytest.mark.slow
def test_checkpoint_plateau_and_csv_callbacks(both) -> None:
    ours, theirs = both("keras_callbacks")
    assert ours.result["csv_columns"] == theirs.result["csv_columns"]
    for r in (ours.result, theirs.result):
        assert r["csv_epochs"] == list(range(15))
        np.testing.assert_allclose(r["csv_val_loss"], r["history_val_loss"], rtol=1e-6)
        # the checkpoint kept the epoch of the smallest val_loss (the last quarter of X)
        assert r["best_val_loss"] == pytest.approx(min(r["history_val_loss"]), rel=1e-5)
        rates = np.array(r["csv_learning_rate"])
        # each row's rate: 0.05 halved a whole number of times, or min_lr
        halvings = np.log2(0.05 / rates[rates > 1.0001e-4])
        np.testing.assert_allclose(halvings, np.round(halvings), atol=1e-5)
        np.testing.assert_allclose(rates[rates <= 1.0001e-4], 1e-4, rtol=1e-6)
        assert rates[0] == pytest.approx(0.05) and np.all(np.diff(rates) <= 0) and rates[-1] < 0.05
        # a row shows the rate its epoch trained at; the last epoch may halve it once more
        assert r["final_learning_rate"] / rates[-1] in (pytest.approx(1.0), pytest.approx(0.5))
