"""Corrupt, truncated, empty or wrong-format files: exit 2, one line, no traceback, the file."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.robustness.helpers import assert_one_line_error, run_cli

RANDOM = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))


def _config(tmp_path: Path, arch: str, dataset: str, **options: str) -> Path:
    opts = "".join(f'{k} = "{v}"\n' for k, v in options.items())
    cfg = tmp_path / "run.toml"
    cfg.write_text(f'architecture = "{arch}"\n[dataset]\nname = "{dataset}"\n{opts}'
                   "[train]\nepochs = 1\n")
    return cfg


def _train(cfg: Path, capsys, *extra: str) -> tuple[int, str, str]:
    return run_cli(["train", str(cfg), "--quiet", *extra], capsys)


def _npz_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


GOOD_NPZ = _npz_bytes(x=np.zeros((10, 3), np.float32), y=np.arange(10) % 2)


@pytest.mark.parametrize("content,match", [
    (b"", r"the CSV file is empty"),
    (RANDOM, r"not UTF-8 text"),
    (b"a,b,y\n1,2,0\n3,4\n5,6,1\n", r"row 3 has 2 columns, expected 3"),
    (b"a,b,y\n1,x,0\n3,4,1\n5,6,1\n", r"non-numeric value 'x' in row 2, column 'b'"),
    (b"a,b,y\n1,2,0\n", r"need at least 2 columns and 2 data rows"),
    (b'a,b,y\n1,"2,0\n', r"."),  # an open quote swallows the rest: too few rows
])
def test_bad_csv(tmp_path, capsys, content: bytes, match: str) -> None:
    data = tmp_path / "d.csv"
    data.write_bytes(content)
    code, _, err = _train(_config(tmp_path, "mlp", "csv", path=str(data)), capsys)
    assert_one_line_error(code, err, match)
    assert "d.csv" in err


@pytest.mark.parametrize("content,match", [
    (b"", r"not a .npz archive"),
    (RANDOM, r"not a .npz archive"),
    (GOOD_NPZ[: len(GOOD_NPZ) // 2], r"not a readable .npz archive"),
    (_npz_bytes(a=np.zeros(3)), r"needs arrays x and y.*found a"),
    (_npz_bytes(x=np.zeros((4, 2)), y=np.zeros(3)), r"same first dimension"),
    (_npz_bytes(x=np.array([object(), 1], dtype=object), y=np.zeros(2)), r"pickle"),
    (_npz_bytes(x=np.zeros((4, 2)), y=np.array([0, 1, 2, 10**9])), r"K <= 100000"),
    (np.lib.format.header_data_from_array_1_0(np.zeros(3)).__repr__().encode(), r"not a .npz"),
])
def test_bad_npz(tmp_path, capsys, content: bytes, match: str) -> None:
    data = tmp_path / "d.npz"
    data.write_bytes(content)
    code, _, err = _train(_config(tmp_path, "mlp", "npz", path=str(data)), capsys)
    assert_one_line_error(code, err, match)
    assert "d.npz" in err


@pytest.mark.parametrize("content,match", [
    (b"", r"too few for block_size"),
    (RANDOM, r"not UTF-8 text"),
    (b"abc", r"3 characters are too few"),
])
def test_bad_text_file(tmp_path, capsys, content: bytes, match: str) -> None:
    data = tmp_path / "book.txt"
    data.write_bytes(content)
    code, _, err = _train(_config(tmp_path, "transformer", "text", path=str(data)), capsys)
    assert_one_line_error(code, err, match)
    assert "book.txt" in err


def test_text_path_that_is_a_folder_or_missing(tmp_path, capsys) -> None:
    code, _, err = _train(_config(tmp_path, "transformer", "text", path=str(tmp_path)), capsys)
    assert_one_line_error(code, err, r"cannot read")
    code, _, err = _train(_config(tmp_path, "transformer", "text", path="nope.txt"), capsys)
    assert_one_line_error(code, err, r"nope.txt: no such text file")


def _idx(magic: int, dims: tuple[int, ...], data: bytes) -> bytes:
    head = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    return gzip.compress(head + data, mtime=0)


@pytest.mark.parametrize("images", [
    b"",
    RANDOM,
    gzip.compress(RANDOM, mtime=0),
    RANDOM[:2] + b"\x1f\x8b",
    _idx(0x0803, (10, 28, 28), bytes(100)),  # truncated
    _idx(0x0801, (10,), bytes(10)),  # a label file where images belong
])
def test_bad_idx_files(tmp_path, capsys, images: bytes) -> None:
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(images)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx(0x0801, (10,), bytes(range(10))))
    code, _, err = run_cli(["train", "mlp-mnist", "--quiet", "--data-dir", str(folder)], capsys)
    # Checked by SHA-256 before parsing: the error names the file, expected and actual digest.
    assert_one_line_error(code, err, r"t10k-(images|labels)-idx\d-ubyte.gz: SHA-256 mismatch")


def test_idx_parser_itself_names_the_damage(tmp_path) -> None:
    from nntui.data.idx import read_idx_images
    from nntui.errors import DatasetError

    bad = tmp_path / "x-idx3-ubyte.gz"
    for content, match in [(b"", r"truncated IDX header"), (RANDOM, r"bad IDX magic"),
                           (_idx(0x0803, (10, 28, 28), bytes(100)), r"truncated: shape"),
                           (b"\x1f\x8b" + RANDOM, r"not a valid gzip file"),
                           (_idx(0x0801, (10,), bytes(10)), r"expected 0x00000803")]:
        bad.write_bytes(content)
        with pytest.raises(DatasetError, match=match):
            read_idx_images(bad)


def _run_dir(tmp_path: Path, capsys) -> Path:
    code, _, err = run_cli(["train", "mlp-xor", "--epochs", "1", "--quiet", "--log-dir",
                            str(tmp_path / "runs")], capsys)
    assert code == 0, err
    (run,) = (tmp_path / "runs").iterdir()
    return run


@pytest.mark.parametrize("damage,match", [
    (lambda b: RANDOM, r"checkpoint .*checkpoint.npz: not a .npz archive"),
    (lambda b: b[: len(b) // 2], r"corrupt or truncated"),
    (lambda b: b"", r"not a .npz archive"),
    (lambda b: GOOD_NPZ, r"has no metadata \(not written by nntui\?\)"),
    (lambda b: _npz_bytes(x=np.array([object()], dtype=object)), r"would need pickle"),
])
def test_bad_checkpoint_on_resume(tmp_path, capsys, damage, match) -> None:
    run = _run_dir(tmp_path, capsys)
    ckpt = run / "checkpoint.npz"
    ckpt.write_bytes(damage(ckpt.read_bytes()))
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(run), "--quiet"], capsys)
    assert_one_line_error(code, err, match)


def test_missing_checkpoint_and_missing_run_folder_on_resume(tmp_path, capsys) -> None:
    run = _run_dir(tmp_path, capsys)
    (run / "checkpoint.npz").unlink()
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(run), "--quiet"], capsys)
    assert_one_line_error(code, err, r"checkpoint not found")
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(tmp_path / "no"), "--quiet"],
                           capsys)
    assert_one_line_error(code, err, r"no run folder at '.*no'")


def test_checkpoint_of_another_model_on_resume(tmp_path, capsys) -> None:
    run = _run_dir(tmp_path, capsys)
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(run), "--set",
                            "model.hidden=[3, 3]", "--quiet"], capsys)
    assert_one_line_error(code, err, r"checkpoint (has no weights|weight .* has shape)")


@pytest.mark.parametrize("content,match", [
    (b'architecture = "mlp"\n[train]\nepochs = = 3\n', r"malformed TOML in .*run.toml.*line 3"),
    (b"", r"architecture must be one of"),
    (RANDOM, r"is not a UTF-8 text file|malformed TOML"),
    (b'architecture = "mlp"\ndataset = "spiral"\n[train]\nepochs = "3"\n',
     r"train.epochs must be a whole number. Received: '3'"),
    (b'architecture = "mlp"\ndataset = 3\n', r"dataset must be a table with a 'name'"),
    (b'architecture = "mlp"\ndataset = "spiral"\ntrain = 3\n', r"train must be a table"),
    (b'architecture = "mlp"\ndataset = "spiral"\n[model]\nhidden = "64"\n',
     r"model.hidden must be a list"),
    (b'architecture = "mlp"\ndataset = "spiral"\nepochs = 3\n', r"unknown top-level key 'epochs'"),
])
def test_bad_config_file(tmp_path, capsys, content: bytes, match: str) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_bytes(content)
    code, _, err = _train(cfg, capsys)
    assert_one_line_error(code, err, match)


def test_config_path_missing_or_a_folder(tmp_path, capsys) -> None:
    code, _, err = _train(tmp_path / "missing.toml", capsys)
    assert_one_line_error(code, err, r"no preset or config file named '.*missing.toml'")
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    code, _, err = _train(folder, capsys)
    assert_one_line_error(code, err, r"cannot read config .*dir.toml")


def test_damaged_run_config_on_resume(tmp_path, capsys) -> None:
    run = _run_dir(tmp_path, capsys)
    (run / "config.toml").write_bytes(b"architecture = [\n")
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(run), "--quiet"], capsys)
    assert_one_line_error(code, err, r"run config .*config.toml cannot be read")


def test_corrupt_metrics_log_on_resume_is_refused(tmp_path, capsys) -> None:
    run = _run_dir(tmp_path, capsys)
    (run / "metrics.csv").write_bytes(b"not,an,nntui,log\n1,2,3,4\n")
    code, _, err = run_cli(["train", "mlp-xor", "--resume", str(run), "--epochs", "2",
                            "--quiet"], capsys)
    assert_one_line_error(code, err, r"metrics.csv is not an nntui metrics log")


def test_replay_of_a_missing_folder(tmp_path, capsys) -> None:
    code, _, err = run_cli(["replay", str(tmp_path / "nothing")], capsys)
    assert_one_line_error(code, err, r"no run folder at")


def test_zip_bomb_member_names_do_not_escape(tmp_path, capsys) -> None:
    """A zip member named like a path is only an array name: nothing is written outside."""
    data = tmp_path / "d.npz"
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("../../evil.npy", b"\x93NUMPY")
    code, _, err = _train(_config(tmp_path, "mlp", "npz", path=str(data)), capsys)
    assert code == 2 and "Traceback" not in err
    assert not (tmp_path.parent / "evil.npy").exists()
