"""Escalations: one per incident, advanced by durable timers until acknowledged."""
