"""The request bodies of Statuspage's manage API as warroom reads them, for
the OpenAPI document (the routes read their bodies themselves: the same
fields come form-encoded as ``incident[name]=...`` or as JSON)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from warroom.openapi import json_body

FORM = "application/x-www-form-urlencoded"
SWITCH = "true or false (a JSON boolean; form fields send the words, as Statuspage's clients do)"


class IncidentFields(BaseModel):
    name: str | None = Field(None, description="The public title (required to create).")
    status: str | None = Field(None, description="investigating, identified, monitoring, "
                               "resolved; scheduled, in_progress, verifying, completed for "
                               "maintenance")
    body: str | None = Field(None, description="The text of the update this call posts.")
    impact_override: str | None = Field(None, description="none, minor, major, critical")
    component_ids: list[str] | None = Field(None, description="Affected components (ids or "
                                            "names)")
    components: dict[str, str] | None = Field(None, description="Component id > status")
    deliver_notifications: bool | None = Field(None, description=SWITCH)
    scheduled_for: str | None = Field(None, description="Start of a maintenance window")
    scheduled_until: str | None = Field(None, description="End of a maintenance window")
    scheduled_auto_in_progress: bool | None = Field(None, description=SWITCH)
    scheduled_auto_completed: bool | None = Field(None, description=SWITCH)


class IncidentBody(BaseModel):
    incident: IncidentFields


class NewIncidentFields(IncidentFields):
    name: str = Field(description="The public title.")


class NewIncidentBody(BaseModel):
    incident: NewIncidentFields


class ComponentFields(BaseModel):
    status: str | None = Field(None, description="operational, degraded_performance, "
                               "partial_outage, major_outage, under_maintenance")
    name: str | None = None
    description: str | None = None
    showcase: bool | None = Field(None, description=SWITCH)
    only_show_if_degraded: bool | None = Field(None, description=SWITCH)


class ComponentBody(BaseModel):
    component: ComponentFields


class SubscriberFields(BaseModel):
    email: str


class SubscriberBody(BaseModel):
    subscriber: SubscriberFields


def body_of(model: type[BaseModel], example: str) -> dict[str, Any]:
    """JSON, or the same fields form-encoded with bracketed names."""
    extra = json_body(model, description=f"JSON as shown, or form-encoded: {example}")
    extra["requestBody"]["content"][FORM] = {"schema": {
        "type": "object", "additionalProperties": {"type": "string"}}}
    return extra
