"""The receiving pipeline: a delivery's alerts are deduplicated, routed,
grouped, placed (into an incident, or on hold) and settled when they resolve."""
