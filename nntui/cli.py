"""The ``nntui`` command: the app, headless training, listings, replay and benchmarks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nntui.engine.backend import BACKENDS
from nntui.errors import EXIT_DIVERGED, EXIT_ERROR, NntuiError
from nntui.runlog.rundir import DEFAULT_BUDGET_MB

__all__ = ["EXIT_DIVERGED", "EXIT_ERROR", "main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nntui", description="A neural-network lab in the terminal.")
    p.add_argument("--backend", default="auto", choices=BACKENDS)
    p.add_argument("--preset", help="open the launcher on this preset")
    sub = p.add_subparsers(dest="command")
    t = sub.add_parser("train", help="train a preset or config headless, writing logs")
    t.add_argument("preset", nargs="?", help="preset name (see `nntui list`) or a TOML "
                   "config path (none with --resume or --fork: the run folder's config)")
    t.add_argument("--epochs", type=int)
    t.add_argument("--backend", dest="train_backend", choices=BACKENDS)
    t.add_argument("--seed", type=int)
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set train.learning_rate=0.01")
    t.add_argument("--log-dir", default="runs", help="folder for run folders (default: runs)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    t.add_argument("--fork", metavar="RUN_DIR[@STEP]", help="a new run continuing RUN_DIR "
                   "from its checkpoint at STEP (default: its latest), with --set changes")
    t.add_argument("--budget", type=float, default=DEFAULT_BUDGET_MB, metavar="MB",
                   help="what the run's snapshots and kept checkpoints may take "
                   f"(default {DEFAULT_BUDGET_MB:g}; 0: no limit); older ones are thinned")
    t.add_argument("--no-snapshots", action="store_true",
                   help="keep no snapshots or checkpoints along the run (replay shows curves)")
    t.add_argument("--data-dir", help="folder holding downloaded dataset files (MNIST ...)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    ls = sub.add_parser("list", help="presets, architectures and datasets")
    ls.add_argument("--json", action="store_true")
    r = sub.add_parser("replay", help="watch the logs of a finished or running run")
    r.add_argument("logdir")
    cmp = sub.add_parser("compare", help="runs side by side: curves overlaid, panels paired")
    cmp.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    rn = sub.add_parser("run", help="run your Python script and watch every fit in it live")
    rn.add_argument("script", help="a Python file that trains with nntui")
    rn.add_argument("script_args", nargs=argparse.REMAINDER, help="the script's arguments")
    rn.add_argument("--log-dir", default="runs", help="folder for the fits' run folders "
                    "(default: runs)")
    pl = sub.add_parser("plot", help="the metrics of one or several runs as charts")
    pl.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    pl.add_argument("--metric", action="append", help="a metric to plot (repeatable); "
                    "default: every one, training and validation together")
    pl.add_argument("--steps", action="store_true", help="per step instead of per epoch")
    pl.add_argument("--log", action="store_true", help="logarithmic y axis")
    pl.add_argument("--width", type=int, help="chart width in columns (default: the terminal)")
    pl.add_argument("--height", type=int, default=16, help="chart height in lines")
    g = sub.add_parser("generate", help="a trained language model continues a prompt")
    g.add_argument("run_dir", metavar="RUN_DIR", help="the run folder of a gpt run")
    g.add_argument("--prompt", required=True, help="the text to continue")
    g.add_argument("--tokens", type=int, default=200, help="tokens to write (default 200)")
    g.add_argument("--temperature", type=float, default=0.8,
                   help="below 1 sharpens the distribution, above 1 flattens it; 0: greedy "
                        "(default 0.8)")
    g.add_argument("--top-k", type=int, help="draw only from the k most probable tokens")
    g.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    g.add_argument("--data-dir", help="the dataset's folder, for checkpoints without a "
                   "tokenizer")
    b = sub.add_parser("bench", help="training throughput of reference models")
    b.add_argument("--backend", dest="bench_backend", default="all")
    b.add_argument("--model", default="all")
    b.add_argument("--json", action="store_true")
    b.add_argument("--repeats", type=int, default=5)
    b.add_argument("--no-compare", action="store_true", help="skip PyTorch/Keras/scikit-learn")
    b.add_argument("--baseline", metavar="PATH",
                   help="another nntui checkout to train beside this one (before/after)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            from nntui.commands.train import train_command

            return train_command(args)
        if args.command == "list":
            from nntui.commands.listing import list_command

            return list_command(args)
        if args.command == "plot":
            from nntui.commands.plot import plot_command

            return plot_command(args)
        if args.command == "generate":
            from nntui.commands.generate import generate_command

            return generate_command(args)
        if args.command == "run":
            from nntui.commands.run import run_command

            return run_command(args)
        if args.command == "bench":
            from nntui.commands.bench import bench_command

            return bench_command(args)
        if args.command == "compare":
            from nntui.app.app import NntuiApp
            from nntui.runlog import RunReader

            if len(args.run_dirs) < 2:
                raise NntuiError(f"compare takes two run folders or more. Received: "
                                 f"{args.run_dirs[0]!r} alone")
            for folder in args.run_dirs:  # a folder without metrics: one line, before the app
                RunReader(folder)
            NntuiApp(compare=args.run_dirs, backend=args.backend).run()
            return 0
        if args.command == "replay":
            if not Path(args.logdir).is_dir():
                raise NntuiError(f"no run folder at {args.logdir!r}; pass a folder under runs/")
            from nntui.runlog import RunReader

            RunReader(args.logdir)  # a folder without metrics: one line, before the app
        from nntui.app.app import NntuiApp

        NntuiApp(preset=args.preset, replay_dir=getattr(args, "logdir", None),
                 backend=args.backend).run()
        return 0
    except NntuiError as e:
        print(f"nntui: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
