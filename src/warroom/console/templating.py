"""The console's Jinja environment (provisional: the screens' own version
replaces this one at merge and keeps the ``csrf_token``/``csrf_field`` globals)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from warroom.console import session

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
session.install_template_globals(templates)
