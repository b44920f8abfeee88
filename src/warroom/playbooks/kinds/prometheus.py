"""``prometheus_check`` steps: a PromQL query and a condition every returned
series must meet (seed 000 §2.5: success rate > 0.99). Without a condition the
value is recorded for people to judge (seed 000 §2.4 prints the error rate)."""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any

import httpx

from warroom.playbooks import rendering
from warroom.playbooks import settings as playbooks_settings
from warroom.playbooks.format import parse_condition
from warroom.playbooks.kinds.types import Prepared, Result

if TYPE_CHECKING:
    from collections.abc import Callable

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


class PrometheusKind:
    def prepare(self, params: dict[str, Any], values: dict[str, Any]) -> Prepared:
        settings = playbooks_settings.get()
        if "prometheus_url" not in values:
            raise rendering.NotReady("no Prometheus is configured: set "
                                     "WARROOM_PLAYBOOK_PROMETHEUS_URL")
        spec = {"url": values["prometheus_url"] + "/api/v1/query",
                "query": rendering.promql(params["query"], values),
                "condition": params.get("condition"), "on_empty": params.get("on_empty", "fail")}
        return Prepared("prometheus_check", spec, settings.playbook_http_timeout_seconds)

    def execute(self, prepared: Prepared) -> Result:
        spec = prepared.spec
        try:
            answer = httpx.get(spec["url"], params={"query": spec["query"]},
                               timeout=prepared.timeout)
            data = answer.json()
        except (httpx.HTTPError, ValueError) as failed:
            return Result(False, f"Prometheus could not be asked: {type(failed).__name__}: "
                                 f"{failed}", None, {"query": spec["query"], "error": str(failed)})
        if data.get("status") != "success":
            error = data.get("error") or f"HTTP {answer.status_code}"
            return Result(False, f"Prometheus refused the query: {error}", None,
                          {"query": spec["query"], "error": error})
        return judge(spec, series(data.get("data") or {}))


def series(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each returned series as {labels, value} (instant vectors and scalars)."""
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and result:
        return [{"labels": {}, "value": float(result[1])}]
    if kind == "vector":
        return [{"labels": item.get("metric", {}), "value": float(item["value"][1])}
                for item in result or []]
    return []


def judge(spec: dict[str, Any], found: list[dict[str, Any]]) -> Result:
    query, condition = spec["query"], spec["condition"]
    outcome: dict[str, Any] = {"query": query, "condition": condition, "series": found}
    shown = ", ".join(_show(s) for s in found[:10])
    needs = f" (needs {condition})" if condition else ""
    if not found:
        ok = spec["on_empty"] == "pass"
        return Result(ok, f"{query} returned no data{needs}", None, outcome)
    if condition is None:
        return Result(True, f"{query} = {shown}", None, outcome)
    op, threshold = parse_condition(condition)
    failing = [s for s in found if math.isnan(s["value"]) or not COMPARE[op](s["value"],
                                                                              threshold)]
    outcome["failing"] = len(failing)
    return Result(not failing, f"{query} = {shown}{needs}", None, outcome)


def _show(item: dict[str, Any]) -> str:
    labels = ",".join(f"{k}={v}" for k, v in sorted(item["labels"].items()) if k != "__name__")
    value = f"{item['value']:.6g}"
    return f"{value} {{{labels}}}" if labels else value
