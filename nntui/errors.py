"""The project's one error family.

Every error a user can cause is an :class:`NntuiError`. The command line prints it
as one line and exits with status 2; the app shows it with ``notify``.
"""

from __future__ import annotations

EXIT_ERROR = 2
"""Exit status of the command line for any :class:`NntuiError`."""
EXIT_DIVERGED = 3
"""Exit status when training diverged (the last good checkpoint is kept)."""
EXIT_INTERRUPTED = 130
"""Exit status after a second Ctrl+C stopped training at once (128 + SIGINT)."""


class NntuiError(Exception):
    """Base class of every error nntui raises on purpose."""

    exit_code: int = EXIT_ERROR


class ConfigError(NntuiError, ValueError):
    """A configuration value, argument or preset field is invalid."""


class ShapeError(NntuiError, ValueError):
    """Arrays or layers do not fit together."""


class DatasetError(NntuiError):
    """A dataset cannot be found, downloaded, verified or parsed."""


class BackendUnavailable(NntuiError):
    """The requested compute backend is not installed on this machine."""


class CheckpointError(NntuiError):
    """A checkpoint or run log cannot be read or written."""


class TrainingDiverged(NntuiError):
    """The loss or the weights became NaN or infinite."""

    exit_code = EXIT_DIVERGED
