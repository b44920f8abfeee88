"""Structured logs (structlog): readable on a terminal, JSON for machines."""

from __future__ import annotations

import logging
import sys

import structlog


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is when a line is logged, not the one
    in place when logging was configured: a command run inside another
    program (a test runner, a script calling the CLI) may swap in its own
    stream and close it afterwards, and every later log line would fail."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(level: str = "info", fmt: str = "console") -> None:
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # structlog only calls write() and flush(), but types `file` as a full TextIO.
        logger_factory=structlog.PrintLoggerFactory(
            file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s: "
                        "%(message)s")
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))
    # httpx logs every request's full URL at INFO, and a Slack webhook's URL
    # is its credential; warroom logs the destination's origin instead.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(numeric, logging.WARNING))
