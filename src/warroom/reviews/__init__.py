"""Post-incident reviews, action items and response metrics."""
