"""Schedules: rotations in layers, overrides, who is on call, iCalendar."""
