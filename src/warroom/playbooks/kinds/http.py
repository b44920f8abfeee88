"""``http`` steps: a templated API call whose response is recorded.

A relative URL (``/api/v1/admin/maintenance``, the seed's own calls) goes to
this warroom with WARROOM_PLAYBOOK_API_TOKEN; the configured Prometheus may be
called too; anything else must match WARROOM_PLAYBOOK_HTTP_ALLOWLIST and pass
the outbound destination policy (:mod:`warroom.outbound`), both when the step
is prepared and, after DNS resolution, when it is sent.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import httpx

from warroom import outbound
from warroom.config import get_settings as core_settings
from warroom.playbooks import rendering
from warroom.playbooks import settings as playbooks_settings
from warroom.playbooks.format import parse_duration
from warroom.playbooks.kinds.types import Prepared, Result, clip


class HttpKind:
    def prepare(self, params: dict[str, Any], values: dict[str, Any]) -> Prepared:
        settings = playbooks_settings.get()
        target = rendering.url(params["url"], values).strip()
        headers = {str(k): str(v) for k, v in rendering.plain(params.get("headers") or {},
                                                              values).items()}
        secrets: dict[str, str] = {}
        blocked = None
        own_api = target.startswith("/")
        if own_api:
            target = core_settings().base_url + target
            token = settings.playbook_api_token
            if token is None:
                blocked = ("calling this warroom needs a token: set WARROOM_PLAYBOOK_API_TOKEN "
                           "(e.g. from `warroom token create --name playbooks --role admin`)")
            else:
                secrets["Authorization"] = f"Bearer {token.get_secret_value()}"
        elif not _allowed(target):
            blocked = ("the URL is not allow-listed: add a pattern that matches it to "
                       "WARROOM_PLAYBOOK_HTTP_ALLOWLIST")
        else:
            blocked = _policy_refusal(target)
        timeout = parse_duration(params["timeout"]).total_seconds() if params.get("timeout") \
            else settings.playbook_http_timeout_seconds
        spec = {"method": params.get("method", "GET"), "url": target, "headers": headers,
                "body": rendering.plain(params.get("body"), values),
                "expect_status": list(params.get("expect_status") or [])}
        return Prepared("http", spec, timeout, blocked, secrets, own_api=own_api)

    def execute(self, prepared: Prepared) -> Result:
        spec = prepared.spec
        request = f"{spec['method']} {spec['url']}"
        send = httpx.request if prepared.own_api else outbound.client().request
        try:
            response = send(spec["method"], spec["url"],
                            headers={"user-agent": "warroom", **spec["headers"],
                                     **prepared.secrets},
                            json=spec["body"] if spec["body"] is not None else None,
                            timeout=prepared.timeout, follow_redirects=False)
        except outbound.DestinationRefused as refused:
            return Result(False, f"{request} refused by the outbound destination policy: "
                                 f"{refused.detail}", None,
                          {"request": request, "error": refused.reason})
        except httpx.HTTPError as failed:
            reason = outbound.failure_reason(failed)
            return Result(False, f"{request} failed: {reason}", None,
                          {"request": request, "error": reason})
        expected = spec["expect_status"]
        ok = response.status_code in expected if expected else response.is_success
        body = clip(response.text, playbooks_settings.get().playbook_output_limit_bytes)
        outcome = {"request": request, "status_code": response.status_code}
        return Result(ok, f"{request} answered {response.status_code}", body, outcome)


def _policy_refusal(target: str) -> str | None:
    try:
        outbound.check_url(target, field="url")
    except outbound.DestinationRefused as refused:
        return f"refused by the outbound destination policy: {refused.detail}"
    return None


def _allowed(target: str) -> bool:
    settings = playbooks_settings.get()
    prometheus = (settings.playbook_prometheus_url or "").rstrip("/")
    if prometheus and (target == prometheus or target.startswith(prometheus + "/")):
        return True
    return any(fnmatch.fnmatchcase(target, p.strip()) for p in settings.playbook_http_allowlist)
