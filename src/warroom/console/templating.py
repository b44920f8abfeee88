"""The console's Jinja2 environment: one ``templates`` object, autoescaped,
with the CSRF token and a few formatters every screen uses."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from fastapi.templating import Jinja2Templates

from warroom.console.session import install_template_globals

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
install_template_globals(templates)


def duration(delta: timedelta) -> str:
    """``3h 04m``, ``12m``, ``40s``: short enough for a table cell."""
    seconds = int(abs(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d {seconds % 86400 // 3600}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


templates.env.filters["duration"] = duration
templates.env.filters["stamp"] = stamp

