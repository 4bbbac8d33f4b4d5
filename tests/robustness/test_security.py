"""Nothing a user loads is unpickled; downloads are verified; exports stay in their folder."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import nntui
from nntui.data.download import RemoteFile, fetch
from nntui.errors import CheckpointError, ConfigError, DatasetError
from nntui.runlog import load_checkpoint, safe_export_path
from nntui.runlog.checkpoint import save_checkpoint

PACKAGE = Path(nntui.__file__).parent


def _calls(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and (
        (isinstance(n.func, ast.Attribute) and n.func.attr in names)
        or (isinstance(n.func, ast.Name) and n.func.id in names))]


def test_no_module_unpickles_and_every_np_load_refuses_pickle() -> None:
    loads = 0
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "cPickle", "dill", "joblib", "shelve"} & set(mods), path
        for call in _calls(tree, {"load"}):
            func = call.func
            if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "np":
                loads += 1
                kw = {k.arg: k.value for k in call.keywords}
                assert "allow_pickle" in kw, f"{path}:{call.lineno} np.load without allow_pickle"
                assert isinstance(kw["allow_pickle"], ast.Constant), path
                assert kw["allow_pickle"].value is False, f"{path}:{call.lineno}"
    assert loads >= 1  # the one npz reader, for datasets and checkpoints (data/files.py)


def _pickled_npz(path: Path) -> None:
    np.savez(path, x=np.array([{"evil": 1}, None], dtype=object), y=np.zeros(2))


def test_a_pickled_object_npz_is_refused_by_the_dataset_loader(tmp_path) -> None:
    from nntui.data.npz import load_npz

    _pickled_npz(tmp_path / "d.npz")
    with pytest.raises(DatasetError, match="pickle"):
        load_npz(path=str(tmp_path / "d.npz"))


def test_a_pickled_object_checkpoint_is_refused(tmp_path) -> None:
    _pickled_npz(tmp_path / "checkpoint.npz")
    with pytest.raises(CheckpointError, match="would need pickle|corrupt"):
        load_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="needs pickle"):
        save_checkpoint(tmp_path, {"w": np.array([object()], dtype=object)}, step=1, epoch=1)


class _Served:
    """A fake urlopen answer: a file-like context manager."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n)

    def __enter__(self) -> _Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self._buf.close()


def test_a_download_with_the_wrong_bytes_is_not_kept(tmp_path, monkeypatch) -> None:
    good = b"the real file"
    expected = hashlib.sha256(good).hexdigest()
    served = b"something else entirely"
    actual = hashlib.sha256(served).hexdigest()
    urls: list[str] = []

    def fake_urlopen(url: str, timeout: float = 0) -> _Served:
        urls.append(url)
        return _Served(served)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    remote = RemoteFile("data.bin", expected, ("https://a.example/", "https://b.example/"))
    with pytest.raises(DatasetError) as info:
        fetch(remote, tmp_path / "cache")
    message = str(info.value)
    assert f"expected {expected}" in message and f"got {actual}" in message
    assert urls == ["https://a.example/data.bin", "https://b.example/data.bin"]
    assert list((tmp_path / "cache").iterdir()) == []  # neither the file nor a temp part


def test_a_good_download_is_kept_and_a_cached_file_is_reverified(tmp_path, monkeypatch) -> None:
    good = b"the real file"
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=0: _Served(good))
    remote = RemoteFile("data.bin", hashlib.sha256(good).hexdigest(), ("https://a.example/",))
    path = fetch(remote, tmp_path)
    assert path.read_bytes() == good
    path.write_bytes(b"tampered")
    with pytest.raises(DatasetError, match="SHA-256 mismatch"):
        fetch(remote, tmp_path)


def test_safe_export_path_keeps_plain_and_nested_names_inside(tmp_path) -> None:
    assert safe_export_path(tmp_path, "metrics.csv") == (tmp_path / "metrics.csv").resolve()
    assert safe_export_path(tmp_path, "run1/shot.svg") == (tmp_path / "run1/shot.svg").resolve()
    assert safe_export_path(tmp_path / "new", "a.csv").parent == (tmp_path / "new").resolve()
    (tmp_path / "inner").mkdir()
    os.symlink(tmp_path / "inner", tmp_path / "link")  # a link that stays inside is fine
    assert safe_export_path(tmp_path, "link/a.csv") == (tmp_path / "inner/a.csv").resolve()


@pytest.mark.parametrize("name,match", [
    ("/etc/passwd", "relative"),
    ("C:\\Windows\\x.csv", "relative"),
    ("\\\\server\\share\\x", "relative"),
    ("~/x.csv", "relative"),
    ("../x.csv", r"'\.\.'"),
    ("a/../../x.csv", r"'\.\.'"),
    ("a\\..\\..\\x.csv", r"'\.\.'"),
    ("", "non-empty"),
    ("   ", "non-empty"),
    ("a\x00b", "non-empty"),
    (".", "name a file"),
])
def test_safe_export_path_refuses_names_leading_elsewhere(tmp_path, name, match) -> None:
    with pytest.raises(ConfigError, match=match):
        safe_export_path(tmp_path, name)


def test_safe_export_path_refuses_symlinks_escaping_the_folder(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "exports"
    folder.mkdir()
    os.symlink(outside, folder / "sub")
    os.symlink(outside / "victim.csv", folder / "metrics.csv")
    with pytest.raises(ConfigError, match="leads outside the export folder"):
        safe_export_path(folder, "sub/a.csv")
    with pytest.raises(ConfigError, match="leads outside the export folder"):
        safe_export_path(folder, "metrics.csv")  # a dangling link to a file outside
    assert not (outside / "victim.csv").exists()
