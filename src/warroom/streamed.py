"""Routes that stream and limit their own request bodies.

A route that streams its body to disk (an evidence upload of a memory image)
names its path here with :func:`streams_own_body`. The app's whole-body
readers (the NUL check, the body size limit) then pass its body through
untouched, and the serving protocol's body deadline restarts with each chunk
instead of covering the whole body, so an upload that stalls is still cut off
but a large one that keeps moving is not.
"""

from __future__ import annotations

import re

_STREAMED: list[re.Pattern[str]] = []


def streams_own_body(path_pattern: str) -> None:
    """Paths (a regular expression matched in full) whose routes stream their bodies."""
    pattern = re.compile(path_pattern)
    if pattern not in _STREAMED:
        _STREAMED.append(pattern)


def is_streamed(path: str) -> bool:
    return any(pattern.fullmatch(path) for pattern in _STREAMED)
