"""The urgency rule and the incident type are checked when settings load."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from warroom.pagerduty.settings import PagerDutySettings


def test_urgency_rule_names_known_severities(monkeypatch):
    monkeypatch.setenv("WARROOM_PAGERDUTY_URGENCY_SEVERITY", '{"high": "critical", "low": "low"}')
    assert PagerDutySettings().pagerduty_urgency_severity == {"high": "sev1", "low": "sev4"}
    monkeypatch.setenv("WARROOM_PAGERDUTY_URGENCY_SEVERITY", '{"high": "sev1", "low": "sev9"}')
    with pytest.raises(ValidationError, match="sev9"):
        PagerDutySettings()
    monkeypatch.setenv("WARROOM_PAGERDUTY_URGENCY_SEVERITY", '{"high": "sev1"}')
    with pytest.raises(ValidationError, match="high and low"):
        PagerDutySettings()


def test_incident_type_is_known(monkeypatch):
    monkeypatch.setenv("WARROOM_PAGERDUTY_INCIDENT_TYPE", "outage")
    with pytest.raises(ValidationError, match="outage"):
        PagerDutySettings()
