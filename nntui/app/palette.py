"""The command palette (Ctrl+P): every action of the screen under it, by the names a
learner would search for, and nothing of Textual's stock wording.

Screens and widgets keep a ``COMMANDS_TABLE`` (action -> palette title and key)
beside their ``BINDINGS``; :func:`widget_commands` and the screens' ``commands()``
turn them into :class:`Command` s, and :func:`system_commands` adds the app's own
(help, theme, quit). :class:`Palette` is Textual's palette without its page-key race.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class Command:
    """One palette entry: ``title`` (what is searched), ``help`` (under it), and the
    ``action`` run on ``namespace`` (the screen or widget that owns the key)."""

    title: str
    help: str
    action: str
    namespace: DOMNode

    def system_command(self) -> SystemCommand:
        app, action, namespace = self.namespace.app, self.action, self.namespace
        return SystemCommand(self.title, self.help,
                             lambda: app.run_action(action, namespace))


def own_commands(owner: DOMNode) -> Iterator[Command]:
    """Entries for the keys of ``owner`` (a screen or widget) that its
    ``COMMANDS_TABLE`` names and that are enabled now."""
    table: dict[str, tuple[str, str]] = getattr(owner, "COMMANDS_TABLE", None) or {}
    for binding in owner.BINDINGS:
        if not isinstance(binding, Binding) or binding.action not in table:
            continue
        if owner.check_action(binding.action.split("(")[0], ()) is False:
            continue
        title, key = table[binding.action]
        yield Command(title, f"{binding.tooltip}  (key: {key})", binding.action, owner)


def screen_commands(screen: Screen[object]) -> Iterator[Command]:
    """The screen's own entries, then its widgets' (the architecture panel's v, p, u)."""
    yield from own_commands(screen)
    yield from widget_commands(screen)


def widget_commands(screen: Screen[object]) -> Iterator[Command]:
    """Entries for the keys of the screen's widgets that keep a ``COMMANDS_TABLE``
    (the architecture panel's view, probe and unit)."""
    for widget in screen.query("*"):
        yield from own_commands(widget)


def system_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """The palette's entries for ``screen``: its own commands, then help, theme, quit."""
    app = screen.app
    seen: set[str] = set()
    for command in screen_commands(screen):
        if command.title not in seen:  # one entry per name
            seen.add(command.title)
            yield command.system_command()
    yield SystemCommand("Help: keys and panels",
                        "Every key of this screen and what each panel shows  (key: ? or f1)",
                        lambda: app.run_action("help"))
    yield SystemCommand("Theme: change the colours", "Pick another colour theme",
                        app.action_change_theme)
    yield SystemCommand("Quit nntui", "Stop any run after its current step, close its logs "
                        "and quit  (key: q or ctrl+q)", app.action_quit)


class Palette(CommandPalette):
    """Textual's command palette, safe against a page key pressed before its list is
    laid out (Textual's OptionList raised ``KeyError: 0`` for Ctrl+P, PageUp within
    ~10 ms)."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            command_list = self.query_one(CommandList)
            if not command_list.scrollable_content_region or not command_list.option_count:
                return
            highlighted = command_list.highlighted
            if highlighted is not None and highlighted not in command_list._index_to_line:
                return
        super()._action_command_list(action)
