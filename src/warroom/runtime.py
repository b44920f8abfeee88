"""Process set-up before serving: the open-file limit, and the garbage
collector's pauses kept out of request latency.

systemd and most shells start a process with a soft limit of 1,024 open
files while allowing far more (the hard limit); every connection, database
connection and outbound delivery needs one, so :func:`raise_open_file_limit`
lifts the soft limit to the hard one.

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
import resource

NOFILE_CEILING = 1_048_576
"""Asked for instead of an unlimited hard limit (Linux refuses "unlimited")."""


def raise_open_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit where allowed; returns
    the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = NOFILE_CEILING if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        return wanted
    return soft


def freeze_startup_heap() -> None:
    """Call once the process has loaded everything it will keep, just before
    it starts serving or working."""
    gc.collect()
    gc.freeze()
