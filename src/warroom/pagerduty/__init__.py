"""PagerDuty's REST API v2, spoken by warroom under ``/pagerduty``: the
scripts, runbooks and CI jobs a team wrote against ``api.pagerduty.com``
keep working when only the host changes (see docs/migrating-from-pagerduty.md)."""
