"""Keep the garbage collector's pauses out of request latency.

After start-up a server holds a few hundred thousand long-lived objects (the
app and its routes, SQLAlchemy's mappers and statement caches, pydantic's
validators, the loaded modules). Python's full collection walks every one of
them, and one such pass held every request for 20-150 ms. None of them is
ever garbage, so :func:`freeze_startup_heap` moves them out of the
collector's sight (``gc.freeze``): later full collections walk only what was
allocated since, and take a few milliseconds.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Call once the process has loaded everything it will keep, just before
    it starts serving or working."""
    gc.collect()
    gc.freeze()
