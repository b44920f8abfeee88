"""Knobs of the playbook runner (``WARROOM_PLAYBOOK_*``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import SecretStr, field_validator
from pydantic_settings import NoDecode

from warroom.content import ContentSettings


class PlaybookSettings(ContentSettings):
    """Where playbooks live (inherited) and what the worker may execute on their behalf."""

    playbook_command_allowlist: Annotated[list[str], NoDecode] = []
    """Shell patterns (fnmatch) of commands the worker may run; nothing runs
    otherwise. One per line, or a JSON list."""
    playbook_http_allowlist: Annotated[list[str], NoDecode] = []
    """URL patterns (fnmatch) that ``http`` steps may call besides this warroom."""
    playbook_api_token: SecretStr | None = None
    """Token the worker sends when an ``http`` step calls this warroom (relative URL)."""
    playbook_prometheus_url: str | None = None
    """Prometheus that ``prometheus_check`` steps query; checks wait until it is set."""
    playbook_command_timeout_seconds: float = 60.0
    playbook_http_timeout_seconds: float = 10.0
    playbook_recheck_seconds: float = 300.0
    """How soon a failing ``prometheus_check`` is evaluated again (unless the step says)."""
    playbook_step_wait_seconds: float = 5.0
    """How long a worker cycle waits for the steps it started before moving on
    (longer ones finish and record in the background)."""
    playbook_concurrency: int = 4
    """Steps one worker process executes at the same time."""
    playbook_output_limit_bytes: int = 65_536
    """Command output and response bodies kept per step run."""

    @field_validator("playbook_command_allowlist", "playbook_http_allowlist", mode="before")
    @classmethod
    def _patterns(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [line.strip() for line in text.splitlines() if line.strip()]
        return value


def get() -> PlaybookSettings:
    return PlaybookSettings.current()
