"""Hash-chained audit log of every state change."""
