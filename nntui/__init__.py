"""nntui: a neural-network lab in the terminal."""

__version__ = "0.1.0"
