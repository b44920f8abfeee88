"""The responder web console: server-rendered screens behind a session sign-in."""
