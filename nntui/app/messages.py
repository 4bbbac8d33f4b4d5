"""Messages posted to the dashboard from other threads."""

from __future__ import annotations

from textual.message import Message


class EventsArrived(Message):
    """The trainer emitted an event the dashboard should show now (not at the next frame).

    It carries nothing: the screen drains its :class:`~nntui.app.workers.EventBuffer`.
    At most one is in flight per buffer, so a fast trainer cannot flood the queue.
    """
