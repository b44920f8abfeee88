"""The public status page: components, public incidents, scheduled maintenance,
maintenance mode, subscribers, and the public surfaces served from a snapshot.

Nothing here reads an internal incident's text: a public incident may point at
an internal one, but what the public sees is written separately.
"""
