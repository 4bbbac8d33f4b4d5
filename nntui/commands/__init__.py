"""The ``nntui`` subcommands (``nntui.cli`` dispatches): train, list, bench.

Each module holds one command and what only it uses; they may import Rich, never
Textual (the app is started by ``cli`` itself).
"""
