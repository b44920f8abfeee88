"""Routing rules: the rule format, and the rulebook that orders and caches them."""
