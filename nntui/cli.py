"""The ``nntui`` command: the app, headless training, listings, replay and benchmarks."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nntui.errors import NntuiError

EXIT_ERROR = 2
EXIT_DIVERGED = 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nntui", description="A neural-network lab in the terminal.")
    p.add_argument("--backend", default="auto", choices=["auto", "numpy", "mlx"])
    p.add_argument("--preset", help="open the launcher on this preset")
    sub = p.add_subparsers(dest="command")
    t = sub.add_parser("train", help="train a preset or config headless, writing logs")
    t.add_argument("preset", help="preset name (see `nntui list`) or a TOML config path")
    t.add_argument("--epochs", type=int)
    t.add_argument("--backend", dest="train_backend", choices=["auto", "numpy", "mlx"])
    t.add_argument("--seed", type=int)
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set train.learning_rate=0.01")
    t.add_argument("--log-dir", default="runs", help="folder for run folders (default: runs)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    t.add_argument("--data-dir", help="folder holding downloaded dataset files (MNIST ...)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    ls = sub.add_parser("list", help="presets, architectures and datasets")
    ls.add_argument("--json", action="store_true")
    r = sub.add_parser("replay", help="watch the logs of a finished or running run")
    r.add_argument("logdir")
    b = sub.add_parser("bench", help="training throughput of reference models")
    b.add_argument("--backend", dest="bench_backend", default="all")
    b.add_argument("--model", default="all")
    b.add_argument("--json", action="store_true")
    b.add_argument("--repeats", type=int, default=5)
    b.add_argument("--no-compare", action="store_true", help="skip PyTorch/Keras/scikit-learn")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            from nntui.headless import train_command

            return train_command(args)
        if args.command == "list":
            return list_command(args)
        if args.command == "bench":
            from nntui.bench import bench_command

            return bench_command(args)
        if args.command == "replay":
            if not Path(args.logdir).is_dir():
                raise NntuiError(f"no run folder at {args.logdir!r}; pass a folder under runs/")
        from nntui.app.app import NntuiApp

        NntuiApp(preset=args.preset, replay_dir=getattr(args, "logdir", None),
                 backend=args.backend).run()
        return 0
    except NntuiError as e:
        print(f"nntui: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def list_command(args: Any) -> int:
    from nntui.data import DATASETS
    from nntui.presets import ARCHITECTURES, list_presets

    presets = list_presets()
    if args.json:
        print(json.dumps({
            "presets": [{"name": p.name, "title": p.title, "architecture": p.architecture,
                         "dataset": p.dataset, "expect": p.expect} for p in presets],
            "architectures": [{"name": a.name, "title": a.title, "description": a.one_line}
                              for a in ARCHITECTURES.values()],
            "datasets": [{"name": d.name, "task": d.task, "input": d.input_kind,
                          "description": d.description, "download": d.needs_download}
                         for d in DATASETS.values()],
        }, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title="Presets (nntui train NAME)", title_justify="left")
    for col in ("name", "architecture", "dataset", "should reach"):
        t.add_column(col)
    for p in presets:
        t.add_row(p.name, p.architecture, p.dataset, p.expect)
    console.print(t)
    a = Table(title="Architectures", title_justify="left")
    a.add_column("name")
    a.add_column("what it is for")
    for info in ARCHITECTURES.values():
        a.add_row(info.name, info.one_line)
    console.print(a)
    d = Table(title="Datasets", title_justify="left")
    for col in ("name", "input", "task", "description"):
        d.add_column(col)
    for ds in DATASETS.values():
        d.add_row(ds.name, ds.input_kind, ds.task,
                  ds.description + (" (downloads)" if ds.needs_download
                                    and "download" not in ds.description else ""))
    console.print(d)
    return 0


@contextlib.contextmanager
def install_stop_handlers(stop: Any) -> Iterator[None]:
    """Ctrl+C and SIGTERM ask the trainer to stop after the current step.

    A second signal stops at once (KeyboardInterrupt: the logs are still closed).
    The previous handlers are restored on exit, so a script or test calling
    :func:`main` gets its own Ctrl+C back. Off the main thread (where Python
    cannot install handlers) nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(signum)
        stop()

    names = ["SIGINT"] + (["SIGTERM"] if hasattr(signal, "SIGTERM") else [])
    previous = {n: signal.signal(getattr(signal, n), handler) for n in names}
    try:
        yield
    finally:
        for n, old in previous.items():
            signal.signal(getattr(signal, n), old if old is not None else signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
