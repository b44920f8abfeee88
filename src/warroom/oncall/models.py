"""Every on-call table, imported so that the models and migrations see them."""

from __future__ import annotations

from warroom.oncall.escalation.models import Escalation, Page, Timer, UsedLink
from warroom.oncall.people.models import ContactMethod, NotificationRule, Profile
from warroom.oncall.policies.models import CustomPolicy
from warroom.oncall.positions.models import PositionBinding
from warroom.oncall.schedules.models import Layer, LayerMember, Override, Schedule
from warroom.oncall.teams.models import Team, TeamMember

__all__ = ["ContactMethod", "CustomPolicy", "Escalation", "Layer", "LayerMember",
           "NotificationRule", "Override", "Page", "PositionBinding", "Profile", "Schedule",
           "Team", "TeamMember", "Timer", "UsedLink"]
