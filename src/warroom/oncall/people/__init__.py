"""People as on-call sees them: contact methods, notification rules, re-notify."""
