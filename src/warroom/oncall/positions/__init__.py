"""Positions (on-call engineer, team lead, ...) and who fills them."""
