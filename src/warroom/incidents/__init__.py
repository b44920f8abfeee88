"""Incidents: severity, type, phase machine, roles, milestones and timeline."""
