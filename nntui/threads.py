"""BLAS thread counts for training, chosen deliberately (measured, see README).

On a 2-core machine two OpenBLAS threads competing with Textual's UI thread made
NumPy steps erratic, so the app trains with one BLAS thread; headless runs keep
the library default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def training_threads(headless: bool) -> Iterator[None]:
    """Context in which the current training thread uses the chosen BLAS thread count."""
    if headless:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
