"""The architecture panels of the dashboard (the ``#arch-panel`` slot).

Importing this package registers one :class:`~nntui.app.widgets.arch_panel.ArchPanel`
subclass per view (``Architecture.panel``: points, images, recurrent, gan,
autoencoder, transformer, transfer) with
:func:`~nntui.app.widgets.arch_panel.register_arch_panel`; :func:`panel_for` gives
an architecture's. Each panel draws the latest ``SnapshotTaken.extras`` (made by
:mod:`nntui.panel_data`) with :mod:`nntui.viz`.

Example:
    >>> panel = panel_for("lstm")("lstm")  # mounted as #arch-panel
    >>> panel.show(history)  # draws history.extras at each frame
"""

from __future__ import annotations

from nntui.app.panels.base import Section, SectionPanel
from nntui.app.panels.generative import AutoencoderPanel, GanPanel
from nntui.app.panels.gpt import GptPanel
from nntui.app.panels.images import ImagesPanel
from nntui.app.panels.language import TransformerPanel
from nntui.app.panels.points import PointsPanel
from nntui.app.panels.recurrent import RecurrentPanel
from nntui.app.panels.seq2seq import Seq2SeqPanel
from nntui.app.panels.transfer import TransferPanel
from nntui.app.widgets.arch_panel import panel_for

__all__ = [
    "AutoencoderPanel", "GanPanel", "GptPanel", "ImagesPanel", "PointsPanel", "RecurrentPanel",
    "Section", "SectionPanel", "Seq2SeqPanel", "TransferPanel", "TransformerPanel",
    "panel_for",
]

