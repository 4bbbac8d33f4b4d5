"""Dashboard and launcher widgets: thin adapters over :mod:`nntui.viz` renderables."""
