"""Drills and game days: scripted exercises run on the real system, scored."""
