"""Fill a step's templated parameters (command, URL, query) from the incident.

Each destination gets its own quoting, applied to every ``{{ ... }}`` value, so
incident data (a title, a label someone typed) can never break out of the place
it is put: shell-quoted in commands, percent-encoded in URLs, escaped inside
PromQL strings. A value the step needs but the incident does not have yet (a
label, a setting) is reported as :class:`NotReady`, not as a failure: nothing
was attempted.
"""

from __future__ import annotations

import json
import shlex
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from warroom.comms.context import incident_values
from warroom.config import get_settings as core_settings
from warroom.playbooks import settings as playbooks_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from warroom.incidents.models import Incident


class NotReady(Exception):
    """Something the step needs is missing; it waits (status ``blocked``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def context(incident: Incident) -> dict[str, Any]:
    """What a step's templates may read: ``incident.*``, ``warroom_url`` and,
    when configured, ``prometheus_url``."""
    values: dict[str, Any] = {"incident": incident_values(incident),
                              "warroom_url": core_settings().base_url}
    prometheus = playbooks_settings.get().playbook_prometheus_url
    if prometheus:
        values["prometheus_url"] = prometheus.rstrip("/")
    return values


def shell(text: str, values: dict[str, Any]) -> str:
    return _render("shell", text, values)


def url(text: str, values: dict[str, Any]) -> str:
    return _render("url", text, values)


def promql(text: str, values: dict[str, Any]) -> str:
    return _render("promql", text, values)


def plain(value: Any, values: dict[str, Any]) -> Any:
    """Render every string inside a JSON-like value (an HTTP body, headers)."""
    if isinstance(value, str):
        return _render("plain", value, values)
    if isinstance(value, list):
        return [plain(item, values) for item in value]
    if isinstance(value, dict):
        return {key: plain(item, values) for key, item in value.items()}
    return value


QUOTING: dict[str, Callable[[Any], str]] = {
    "shell": lambda value: shlex.quote(str(value)),
    "url": lambda value: quote(str(value), safe=":/?&=#@%+,;~"),
    "promql": lambda value: json.dumps(str(value))[1:-1],
    "plain": str,
}


def _render(quoting: str, text: str, values: dict[str, Any]) -> str:
    try:
        return _environment(quoting).from_string(text).render(values)
    except UndefinedError as missing:
        raise NotReady(_needs(str(missing))) from None
    except TemplateError as problem:
        raise NotReady(f"the step's template cannot be rendered: {problem}") from None


@lru_cache(maxsize=8)
def _environment(quoting: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, finalize=QUOTING[quoting],
                                autoescape=False, keep_trailing_newline=False)


def _needs(message: str) -> str:
    if "prometheus_url" in message:
        return "no Prometheus is configured: set WARROOM_PLAYBOOK_PROMETHEUS_URL"
    if "has no attribute" in message and "'dict object'" in message:
        name = message.rsplit("attribute", 1)[-1].strip(" '\"")
        return f"the incident has no {name!r} (set it as an incident label)"
    return f"the step needs a value the incident does not have: {message}"
