"""The responder web console: server-rendered screens over the domains' services."""
