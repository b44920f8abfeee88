"""Notices: public incidents and scheduled maintenance, their updates, and
the offers to resolve those left open after their internal incident ended."""
