"""The outbox: every outbound message, delivered by the worker with retries."""
