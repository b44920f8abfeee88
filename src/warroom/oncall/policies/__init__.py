"""Escalation policies: shipped defaults under rules/escalation/ and custom ones."""
