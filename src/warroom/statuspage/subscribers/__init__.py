"""Subscribers (email with double opt-in, signed webhooks) and the
notifications each public update sends them through the outbox."""
