"""What the manage API tests share: the page id, Statuspage's auth header,
the fixtures written from Statuspage's reference and a field-by-field shape
comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def oauth(people, role: str = "admin") -> dict[str, str]:
    return {"Authorization": f"OAuth {people.tokens[role]}"}


def page_id(client, people) -> str:
    answer = client.get("/api/v1/statuspage", headers=people.admin)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def base(client, people) -> str:
    return f"/v1/pages/{page_id(client, people)}"


def differences(ours: Any, theirs: Any, at: str = "") -> list[str]:
    """Where ``ours`` differs in shape from Statuspage's: a missing or extra
    field, or a value of another kind (null in either matches anything, as
    Statuspage's own answers carry ``"affected_components": null``)."""
    if theirs is None or ours is None:
        return []
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{at or '.'}: {type(ours).__name__}, not an object"]
        found = [f"{at}.{k}: missing" for k in theirs.keys() - ours.keys()]
        found += [f"{at}.{k}: not in Statuspage's object" for k in ours.keys() - theirs.keys()]
        for key in theirs.keys() & ours.keys():
            found += differences(ours[key], theirs[key], f"{at}.{key}")
        return sorted(found)
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{at}: {type(ours).__name__}, not a list"]
        return [d for item in ours for d in differences(item, theirs[0], f"{at}[]")] \
            if theirs else []
    return [] if type(ours) is type(theirs) else [
        f"{at}: {type(ours).__name__}, Statuspage has {type(theirs).__name__}"]


def form(fields: dict[str, str]) -> dict[str, Any]:
    return {"content": "&".join(f"{k}={v}" for k, v in fields.items()),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
