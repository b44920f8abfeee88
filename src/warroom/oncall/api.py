"""Every on-call route, gathered for the app."""

from __future__ import annotations

from fastapi import APIRouter

from warroom.oncall.escalation.api import router as escalation
from warroom.oncall.people.api import router as people
from warroom.oncall.policies.api import router as policies
from warroom.oncall.positions.api import router as positions
from warroom.oncall.schedules.api import router as schedules
from warroom.oncall.teams.api import router as teams

router = APIRouter()
for part in (people, teams, schedules, positions, policies, escalation):
    router.include_router(part)
