"""``nntui list``: presets, architectures and datasets, as tables or JSON."""

from __future__ import annotations

import json
from typing import Any


def list_command(args: Any) -> int:
    from nntui.architectures import ARCHITECTURES
    from nntui.data import DATASETS
    from nntui.presets import list_presets

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
