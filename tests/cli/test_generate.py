"""``nntui generate``: a trained GPT continues a prompt, the same seed writing the same text,
from the run folder alone (the checkpoint carries the tokenizer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nntui.cli import main

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\n" * 30


@pytest.fixture(scope="module")
def gpt_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gen")
    corpus = folder / "play.txt"
    corpus.write_text(TEXT)
    argv = ["train", "gpt-shakespeare", "--quiet", "--log-dir", str(folder / "runs"),
            "--epochs", "2", "--set", "dataset.name='text'", "--set", f"dataset.path='{corpus}'",
            "--set", "dataset.block_size=16", "--set", "dataset.n_samples=64",
            "--set", "model.embed_dim=16", "--set", "model.blocks=1",
            "--set", "train.batch_size=16", "--set", "train.learning_rate=0.01"]
    assert main(argv) == 0
    corpus.unlink()  # generate must not need the text any more
    (run,) = (folder / "runs").iterdir()
    return run


def _generate(run: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["generate", str(run), "--prompt", "ROMEO:", "--tokens", "40", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_same_seed_writes_the_same_continuation_of_the_prompt(gpt_run, capsys) -> None:
    code, first, err = _generate(gpt_run, capsys, "--seed", "3")
    assert code == 0, err
    _, again, _ = _generate(gpt_run, capsys, "--seed", "3")
    _, other, _ = _generate(gpt_run, capsys, "--seed", "4", "--temperature", "1.5")
    assert first == again
    assert first != other
    assert first.startswith("ROMEO:") and len(first.rstrip("\n")) == len("ROMEO:") + 40
    assert set(first) <= set(TEXT) | {"\n"}


def test_greedy_generation_needs_no_seed(gpt_run, capsys) -> None:
    outs = {_generate(gpt_run, capsys, "--temperature", "0", "--seed", str(s))[1]
            for s in range(3)}
    assert len(outs) == 1


@pytest.mark.parametrize("extra,match", [
    (["--prompt", "Ré"], r"--prompt: character 'é' is not in the vocabulary.*Received: 'Ré'"),
    (["--prompt", ""], r"--prompt must hold at least one character"),
    (["--top-k", "0"], r"top_k must be a positive integer.*Received: top_k=0"),
    (["--temperature", "-1"], r"temperature must be a number >= 0"),
])
def test_bad_arguments_are_one_line_naming_the_argument(gpt_run, capsys, extra, match) -> None:
    code, out, err = _generate(gpt_run, capsys, *extra)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    import re
    assert re.search(match, err), err


def test_a_run_that_is_not_a_language_model_is_refused(tmp_path, capsys) -> None:
    assert main(["train", "mlp-xor", "--epochs", "1", "--quiet", "--log-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    (run,) = tmp_path.iterdir()
    code, _, err = _generate(run, capsys)
    assert code == 2 and "generate needs a language model" in err and "mlp" in err
    code, _, err = _generate(tmp_path / "nope", capsys)
    assert code == 2 and "no run folder" in err


def test_a_bpe_gpt_writes_from_its_checkpoint_alone(tmp_path, capsys) -> None:
    corpus = tmp_path / "play.txt"
    corpus.write_text(TEXT)
    argv = ["train", "gpt-shakespeare", "--quiet", "--log-dir", str(tmp_path / "runs"),
            "--epochs", "1", "--set", "dataset.name='text'", "--set", f"dataset.path='{corpus}'",
            "--set", "dataset.tokenizer='bpe'", "--set", "dataset.merges=30",
            "--set", "dataset.block_size=8", "--set", "dataset.n_samples=32",
            "--set", "model.embed_dim=16", "--set", "model.blocks=1"]
    assert main(argv) == 0
    corpus.unlink()
    (run,) = (tmp_path / "runs").iterdir()
    capsys.readouterr()
    first, again = (_generate(run, capsys, "--seed", "1")[1] for _ in range(2))
    assert first == again and first.startswith("ROMEO:") and len(first) > len("ROMEO:") + 20
