"""Users, API tokens, roles and the permission table."""
